package ai.dilation4j.converter.caffe;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One parameter blob of a trained layer.
 *
 * @param shape       the blob's shape: its {@code shape} field, or for legacy files the four
 *                    num/channels/height/width values
 * @param legacyShape whether {@code shape} holds the legacy 4-D dimensions
 * @param values      the values in C order, as a flat float32 vector
 */
public record CaffeBlob(long[] shape, boolean legacyShape, INDArray values) {

    /** The shape and the number of values read. */
    public BlobLayout layout() {
        return new BlobLayout(shape, legacyShape, values.length());
    }

    /** See {@link BlobLayout#matches}. */
    public boolean matches(long[] expected) {
        return layout().matches(expected);
    }
}
