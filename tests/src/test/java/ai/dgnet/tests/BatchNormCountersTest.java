package ai.dgnet.tests;

import ai.dgnet.models.Agreement;
import ai.dgnet.models.Arch;
import ai.dgnet.models.DgModel;
import ai.dgnet.models.ModelConfig;
import ai.dgnet.models.Session;
import ai.dgnet.models.io.DeterministicWeights;
import ai.dgnet.models.io.ModelFileException;
import ai.dgnet.models.io.SafeTensors;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PyTorch's state dicts hold a {@code num_batches_tracked} counter per BatchNorm, an I64 scalar, which spec section 5
 * says may be present and is ignored: a torchvision state dict saved with safetensors loads unchanged.
 */
class BatchNormCountersTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path dir;

    @Test
    void i64CountersBesideTheBatchNormsAreIgnored() throws Exception {
        Path counted = withCounters(savedStaticResNet20());
        Path golden = Path.of(BatchNormCountersTest.class.getResource("/golden/resnet20_static.safetensors").toURI());
        Shape shape = Shape.of(2, 3, 32, 32);
        try (SafeTensors expected = SafeTensors.open(golden);
             CpuDevice device = CpuDevice.create(1);
             DgModel model = DgModel.load(counted);
             Session session = model.session(device);
             Tensor input = Tensor.of(shape, Layout.NCHW, DeterministicWeights.generate("input", shape.dims(), 1))) {
            double error = Agreement.relativeError(session.run(input).logitsRowMajor(), expected.floats("logits"));
            assertTrue(error <= 1e-4, "logits relative error " + error);
        }
    }

    /** An integer dtype where the network needs values is still refused, naming the tensor and the dtype. */
    @Test
    void anIntegerDtypeWhereValuesBelongIsRefused() throws Exception {
        Parts parts = Parts.read(withCounters(savedStaticResNet20()));
        ((ObjectNode) parts.header().get("bn1.weight")).put("dtype", "I32");
        Path wrong = parts.write(dir.resolve("i32.safetensors"));
        ModelFileException e = assertThrows(ModelFileException.class, () -> DgModel.load(wrong).close());
        assertTrue(e.getMessage().contains("'bn1.weight'") && e.getMessage().contains("I32"), e.getMessage());
    }

    /** The deterministic static DG-ResNet-20 of the golden case (seed 3, 10 classes), as our writer saves it. */
    private Path savedStaticResNet20() {
        Path file = dir.resolve("plain.safetensors");
        try (DgModel model = DgModel.random(ModelConfig.of(Arch.RESNET20, Mode.STATIC).withClasses(10, 3), 3)) {
            model.save(file);
        }
        return file;
    }

    /** {@code file} with an I64 scalar {@code num_batches_tracked} of 7 beside every BatchNorm, as PyTorch saves it. */
    private Path withCounters(Path file) throws IOException {
        Parts parts = Parts.read(file);
        ObjectNode header = parts.header();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        data.write(parts.data());
        List<String> batchNorms = new ArrayList<>();
        header.fieldNames().forEachRemaining(name -> {
            if (name.endsWith(".running_mean")) {
                batchNorms.add(name.substring(0, name.length() - ".running_mean".length()));
            }
        });
        assertTrue(batchNorms.size() > 10, "a ResNet-20 has a BatchNorm per convolution");
        for (String bn : batchNorms) {
            ObjectNode entry = header.putObject(bn + ".num_batches_tracked");
            entry.put("dtype", "I64");
            entry.putArray("shape");
            entry.putArray("data_offsets").add(data.size()).add(data.size() + Long.BYTES);
            data.write(ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(7).array());
        }
        return new Parts(header, data.toByteArray()).write(dir.resolve("counted.safetensors"));
    }

    /** A safetensors file as its JSON header, to edit, and the data after it. */
    private record Parts(ObjectNode header, byte[] data) {
        static Parts read(Path file) throws IOException {
            byte[] bytes = Files.readAllBytes(file);
            int end = Long.BYTES + Math.toIntExact(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong());
            return new Parts((ObjectNode) JSON.readTree(Arrays.copyOfRange(bytes, Long.BYTES, end)),
                    Arrays.copyOfRange(bytes, end, bytes.length));
        }

        Path write(Path file) throws IOException {
            byte[] json = JSON.writeValueAsBytes(header);
            Files.write(file, ByteBuffer.allocate(Long.BYTES + json.length + data.length)
                    .order(ByteOrder.LITTLE_ENDIAN).putLong(json.length).put(json).put(data).array());
            return file;
        }
    }
}
