// The shape jextract 22+ generates, kept by hand: regenerate with native-bindings/jextract.sh.
package ai.dgnet.dnnl.c;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;

/**
 * The C type layouts every header class inherits, as in jextract's {@code foo_h$shared}. jextract writes one such
 * class per run; the bindings here share one, so {@code C_INT} is the same object whichever header class it is
 * reached through. Finding symbols, for which jextract generates a lookup per header class, is left to
 * {@link ai.dgnet.dnnl.DnnlLibrary}.
 */
@SuppressWarnings("restricted")
class dnnl$shared {

    dnnl$shared() {
        // Should not be called directly
    }

    public static final ValueLayout.OfByte C_CHAR = (ValueLayout.OfByte) canonical("char");
    public static final ValueLayout.OfInt C_INT = (ValueLayout.OfInt) canonical("int");
    public static final ValueLayout.OfFloat C_FLOAT = (ValueLayout.OfFloat) canonical("float");
    public static final ValueLayout.OfLong C_LONG = (ValueLayout.OfLong) canonical("long");
    /**
     * Pointers come back sized to the whole address space, as jextract makes them, so a returned {@code const char*}
     * or struct pointer can be read without a {@code reinterpret} at each call site.
     */
    public static final AddressLayout C_POINTER = ((AddressLayout) canonical("void*"))
            .withTargetLayout(MemoryLayout.sequenceLayout(Long.MAX_VALUE, C_CHAR));

    private static MemoryLayout canonical(String cType) {
        return Linker.nativeLinker().canonicalLayouts().get(cType);
    }
}
