package ai.dgnet.bench;

import ai.dgnet.models.Arch;
import ai.dgnet.models.DgModel;
import ai.dgnet.models.Result;
import ai.dgnet.models.Session;
import ai.dgnet.runtime.Layout;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;
import ai.dgnet.runtime.cpu.CpuDevice;
import ai.dgnet.runtime.dg.Mode;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * One runtime holding one model, ready to run one input batch again and again: what the harness times. Everything
 * costly and one-off (loading, graph optimization, weight reordering) happens when it is opened or on its first
 * {@link #run()}, which the harness never times.
 */
interface Engine extends AutoCloseable {
    /** Runs the batch; returns the logits {@code [N * classes]}, row-major. */
    float[] run();

    @Override
    void close();

    /** The two runtimes the harness compares in-process. */
    enum Kind {
        OURS("ours"),
        ORT("ONNX Runtime");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** {@code c}'s model on this runtime, for {@code batch} images of {@code size}; ORT reads {@code onnx}. */
        Engine open(Case c, Path onnx, int threads, int batch, int size) {
            return switch (this) {
                case OURS -> new Ours(c.arch(), c.mode(), threads, batch, size);
                case ORT -> new Ort(onnx, threads, batch, size, null);
            };
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /**
     * Our runtime through the public API as a serving loop uses it: {@code session.run(input, previous)}, the input
     * tensor made once and the previous result's arrays reused. The JMH model benchmark runs it too.
     */
    final class Ours implements Engine {
        private final DgModel model;
        private final CpuDevice device;
        private final Session session;
        private final Tensor input;
        private Result previous;

        Ours(Arch arch, Mode mode, int threads, int batch, int size) {
            model = Workloads.model(arch, mode);
            device = CpuDevice.create(threads);
            session = model.session(device);
            input = Tensor.of(Shape.of(Workloads.inputShape(batch, size)), Layout.NCHW, Workloads.input(batch, size));
        }

        /** The device the session runs on, whose profile and clocks say where the time went. */
        CpuDevice device() {
            return device;
        }

        /** One inference, as a serving loop makes it. */
        Result infer() {
            previous = session.run(input, previous);
            return previous;
        }

        @Override
        public float[] run() {
            return infer().logitsRowMajor();
        }

        /** The logits of the last run, without another. */
        float[] lastLogits() {
            return previous.logitsRowMajor();
        }

        @Override
        public void close() {
            input.close();
            session.close();
            device.close();
            model.close();
        }
    }

    /**
     * ONNX Runtime's CPU execution provider on an exported model with its single input and output (the
     * exporter's {@code input} and {@code logits}): {@code threads} intra-op threads, one inter-op thread,
     * sequential execution, every graph optimization, so both runtimes get the same cores the same way. With a
     * {@code profilePrefix}, ORT's profiler traces every run into a file named from it (see {@link #endProfiling()}).
     */
    final class Ort implements Engine {
        private final OrtSession session;
        private final OnnxTensor input;
        private final String inputName;

        Ort(Path onnx, int threads, int batch, int size, Path profilePrefix) {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            long[] shape = Arrays.stream(Workloads.inputShape(batch, size)).asLongStream().toArray();
            try {
                input = OnnxTensor.createTensor(env, FloatBuffer.wrap(Workloads.input(batch, size)), shape);
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime cannot make the input tensor: " + e.getMessage(), e);
            }
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(threads);
                options.setInterOpNumThreads(1);
                options.setExecutionMode(ExecutionMode.SEQUENTIAL);
                options.setOptimizationLevel(OptLevel.ALL_OPT);
                if (profilePrefix != null) {
                    options.enableProfiling(profilePrefix.toString());
                }
                session = env.createSession(onnx.toString(), options);
                inputName = session.getInputNames().iterator().next();
            } catch (OrtException e) {
                input.close();
                throw new IllegalStateException("ONNX Runtime cannot open " + onnx + ": " + e.getMessage(), e);
            }
        }

        @Override
        public float[] run() {
            try (OrtSession.Result result = session.run(Map.of(inputName, input))) {
                FloatBuffer logits = ((OnnxTensor) result.get(0)).getFloatBuffer();
                float[] flat = new float[logits.remaining()];
                logits.get(flat);
                return flat;
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime run failed: " + e.getMessage(), e);
            }
        }

        /** Stops a profiling session's tracing; returns the trace's file (Chrome's trace format). */
        Path endProfiling() {
            try {
                return Path.of(session.endProfiling());
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime cannot end its profile: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            input.close();
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime cannot close its session: " + e.getMessage(), e);
            }
        }
    }
}
