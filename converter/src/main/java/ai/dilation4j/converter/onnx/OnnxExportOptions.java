package ai.dilation4j.converter.onnx;

import java.util.Optional;

/** Options of an ONNX export; immutable, built with {@link #builder()}. */
public final class OnnxExportOptions {

    private final long height;
    private final long width;
    private final boolean dynamicSize;

    private OnnxExportOptions(Builder builder) {
        this.height = builder.height;
        this.width = builder.width;
        this.dynamicSize = builder.dynamicSize;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static OnnxExportOptions defaults() {
        return builder().build();
    }

    /** The input {height, width} the ONNX graph is written for, when not the size the model was converted for. */
    public Optional<long[]> inputSize() {
        return height == 0 ? Optional.empty() : Optional.of(new long[] {height, width});
    }

    /**
     * Whether the input's height and width are left symbolic, so one file takes any size. Caffe max pooling is then
     * cut to Caffe's size at run time; Caffe average pooling, whose divisors depend on the size, is refused.
     */
    public boolean dynamicSize() {
        return dynamicSize;
    }

    public static final class Builder {
        private long height;
        private long width;
        private boolean dynamicSize;

        private Builder() {
        }

        /** Writes the graph for this input size instead of the model's; both at least 1. */
        public Builder inputSize(long height, long width) {
            if (height < 1 || width < 1) {
                throw new IllegalArgumentException("input size must be at least 1x1, got " + height + "x" + width);
            }
            this.height = height;
            this.width = width;
            return this;
        }

        public Builder dynamicSize(boolean dynamicSize) {
            this.dynamicSize = dynamicSize;
            return this;
        }

        public OnnxExportOptions build() {
            return new OnnxExportOptions(this);
        }
    }
}
