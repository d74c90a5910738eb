package ai.dilation4j.converter.graph;

/**
 * Shape of a Caffe blob in an image network: N x channels x height x width, with N fixed by the input.
 */
public record FeatureShape(long channels, long height, long width) {

    public FeatureShape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("empty blob shape " + channels + "x" + height + "x" + width);
        }
    }

    public long[] nchw(long batch) {
        return new long[] {batch, channels, height, width};
    }

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
