package ai.dgnet.runtime.op;

/** A prepared op fixed by a spec record, which describes it and counts its work. */
public interface SpecifiedOp<S extends OpSpec> extends PreparedOp {
    S spec();

    @Override
    default String describe() {
        return spec().describe();
    }

    @Override
    default long macs() {
        return spec().macs();
    }
}
