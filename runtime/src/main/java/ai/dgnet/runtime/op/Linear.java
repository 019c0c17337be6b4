package ai.dgnet.runtime.op;

import ai.dgnet.runtime.DType;
import ai.dgnet.runtime.Shape;
import ai.dgnet.runtime.Tensor;

/** A prepared fully connected layer, {@code dst = src · weightsᵀ + bias}, on {@code NC} tensors; weights are {@code [out, in]}. */
public interface Linear extends SpecifiedOp<Linear.Spec> {
    void run(Tensor src, Tensor dst);

    record Spec(int batch, int inFeatures, int outFeatures) implements OpSpec {
        public Spec {
            if (batch < 1 || inFeatures < 1 || outFeatures < 1) {
                throw new IllegalArgumentException("linear needs batch, in and out features >= 1, got " + batch
                        + ", " + inFeatures + ", " + outFeatures);
            }
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

        /** In a few words, for profiles: {@code linear 2048->1000}. */
        @Override
        public String describe() {
            return OpText.suffixed(new StringBuilder("linear ").append(inFeatures).append("->").append(outFeatures),
                    DType.F32, batch);
        }
    }
}
