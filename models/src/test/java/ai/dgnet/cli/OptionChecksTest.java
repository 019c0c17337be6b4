package ai.dgnet.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OptionChecksTest {
    @Test
    void aValueBelowItsBoundIsNamedWithItsOptionAlone() {
        OptionChecks.atLeast("--batch", 1, 1);
        OptionChecks.atLeast("--size", 1, null);
        assertEquals("--batch must be >= 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> OptionChecks.atLeast("--batch", 1, 0)).getMessage());
        assertEquals("--warmup must be >= 0, got -3", assertThrows(IllegalArgumentException.class,
                () -> OptionChecks.atLeast("--warmup", 0, -3)).getMessage());
        assertEquals("--max-request-mb must be >= 1, got -9223372036854775808", assertThrows(
                IllegalArgumentException.class,
                () -> OptionChecks.atLeast("--max-request-mb", 1, Long.MIN_VALUE)).getMessage());
    }
}
