package ai.dilation4j.converter.caffe;

import java.util.Arrays;

import ai.dilation4j.runtime.io.ArraySizes;

/**
 * The shape of one parameter blob of a trained layer and the number of values the file holds for it.
 *
 * @param shape       the blob's shape: its {@code shape} field, or for legacy files the four
 *                    num/channels/height/width values
 * @param legacyShape whether {@code shape} holds the legacy 4-D dimensions
 * @param valueCount  the number of values stored
 */
public record BlobLayout(long[] shape, boolean legacyShape, long valueCount) {

    /**
     * Caffe's {@code Blob::ShapeEquals}: a legacy blob matches when its four dimensions equal the expected shape
     * padded with leading 1s (so a V1 bias stored as 1x1x1xN matches N).
     */
    public boolean matches(long[] expected) {
        if (!legacyShape) {
            return Arrays.equals(shape, expected);
        }
        if (expected.length > 4) {
            return false;
        }
        long[] padded = new long[4];
        Arrays.fill(padded, 1);
        System.arraycopy(expected, 0, padded, 4 - expected.length, expected.length);
        return Arrays.equals(shape, padded);
    }

    /** Number of values the declared shape calls for ({@link Long#MAX_VALUE} when that overflows, -1 if negative). */
    public long declaredCount() {
        return Arrays.stream(shape).anyMatch(d -> d < 0) ? -1 : ArraySizes.saturatedProduct(shape);
    }

    public String describeShape() {
        return (legacyShape ? "legacy " : "") + Arrays.toString(shape);
    }
}
