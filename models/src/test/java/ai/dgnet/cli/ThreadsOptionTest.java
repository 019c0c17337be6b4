package ai.dgnet.cli;

import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.kernel.DgKernelsProvider;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ThreadsOptionTest {
    private static final String FEW_RUNS = ", set up for few runs)";

    @Test
    void aCommandOnFewImagesGetsTheDeviceForFewRuns() {
        ThreadsOption option = new ThreadsOption();
        option.threads = 1;
        assertFewRuns(true, option, 1);
        assertFewRuns(true, option, ThreadsOption.FEW_IMAGES);
        assertFewRuns(false, option, ThreadsOption.FEW_IMAGES + 1);
        try (CpuDevice device = option.device()) {
            assertFalse(device.name().endsWith(FEW_RUNS), device.name());
            assertEquals(1, device.threads());
        }
    }

    @Test
    void aPropertyThatChoosesKernelsKeepsTheDefaultDevice() {
        ThreadsOption option = new ThreadsOption();
        for (String property : new String[] {DgKernelsProvider.PROPERTY, CpuDevice.WINOGRAD_PROPERTY}) {
            String value = property.equals(DgKernelsProvider.PROPERTY) ? "vector" : "4";
            System.setProperty(property, value);
            try {
                assertFewRuns(false, option, 1);
            } finally {
                System.clearProperty(property);
            }
        }
    }

    /** As the device refuses it, named as the option: a count over the device's most was not named so. */
    @Test
    void aThreadCountTheDeviceRefusesIsRefusedAsTheOptionForEitherDevice() {
        ThreadsOption option = new ThreadsOption();
        for (int threads : new int[] {0, Integer.MAX_VALUE}) {
            option.threads = threads;
            String expected = "--" + assertThrows(IllegalArgumentException.class, () -> CpuDevice.create(threads))
                    .getMessage();
            assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> option.device(1)).getMessage());
            assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> option.device(1000))
                    .getMessage());
        }
    }

    private static void assertFewRuns(boolean expected, ThreadsOption option, long images) {
        try (CpuDevice device = option.device(images)) {
            assertEquals(expected, device.name().endsWith(FEW_RUNS), images + " images: " + device.name());
        }
    }
}
