package ai.dgnet.runtime.op;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;

import java.util.Objects;

/**
 * A prepared fully connected layer, {@code dst = activation(src · weightsᵀ + bias)}, on f32 {@code NC} tensors;
 * weights are {@code [out, in]}.
 */
public interface Linear extends SpecifiedOp<Linear.Spec> {
    void run(Tensor src, Tensor dst);

    record Spec(int batch, int inFeatures, int outFeatures, Activation activation) implements OpSpec {
        public Spec {
            if (batch < 1 || inFeatures < 1 || outFeatures < 1) {
                throw new IllegalArgumentException("linear needs batch, in and out features >= 1, got " + batch
                        + ", " + inFeatures + ", " + outFeatures);
            }
            Objects.requireNonNull(activation, "activation");
        }

        /** With no activation, as a classifier's. */
        public Spec(int batch, int inFeatures, int outFeatures) {
            this(batch, inFeatures, outFeatures, Activation.NONE);
        }

        public Shape input() {
            return Shape.of(batch, inFeatures);
        }

        public Shape output() {
            return Shape.of(batch, outFeatures);
        }

        /** Multiply-accumulates of one run: {@code batch * in * out}. */
        @Override
        public long macs() {
            return (long) batch * inFeatures * outFeatures;
        }

        /** In a few words, for profiles: {@code linear 2048->1000}, {@code linear 440->110 +relu}. */
        @Override
        public String describe() {
            StringBuilder text = new StringBuilder("linear ").append(inFeatures).append("->").append(outFeatures);
            OpText.appendActivation(text, activation);
            return OpText.suffixed(text, DType.F32, batch);
        }
    }
}
