package ai.dgnet.runtime;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CpuInfoTest {
    private static final List<String> TWO_CPUS = List.of(
            "processor\t: 0", "vendor_id\t: AuthenticAMD", "model name\t: AMD EPYC 9B45", "cpu cores\t: 2",
            "flags\t\t: fpu avx2 avx512f", "",
            "processor\t: 1", "model name\t: another", "cpu cores\t: 2", "flags\t\t: fpu", "");

    @Test
    void fieldsAreTheFirstCpusAndEveryCpuIsCounted() {
        CpuInfo info = new CpuInfo(TWO_CPUS);
        assertEquals("AMD EPYC 9B45", info.field("model name", "unknown"));
        assertEquals("fpu avx2 avx512f", info.field("flags", ""));
        assertEquals("2", info.field("cpu cores", "?"));
        assertEquals(2, info.processors());
    }

    /** A key is matched whole: "model" is not the first line that starts with it ("model name"). */
    @Test
    void aKeyIsMatchedWholeAndAMissingOneGivesTheFallback() {
        CpuInfo info = new CpuInfo(TWO_CPUS);
        assertEquals("unknown", info.field("model", "unknown"));
        assertEquals(null, info.field("microcode", null));
        assertEquals(0, new CpuInfo(List.of()).processors());
    }
}
