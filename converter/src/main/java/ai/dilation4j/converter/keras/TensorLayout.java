package ai.dilation4j.converter.keras;

/**
 * Where a Keras tensor keeps its classes or channels. The graph always holds an N x C x H x W map; a Keras tensor
 * holds the same values as an image (rank 4, channels last or first) or, after the segmentation head's
 * {@code Reshape}, as one row per pixel (rank 3: {@code (h*w, C)}, or {@code (C, h*w)} channels first). A softmax
 * is the per-pixel softmax of the graph exactly when it normalizes over this axis.
 *
 * @param rank        rank of the Keras tensor, batch axis included
 * @param channelAxis axis of the channels, batch axis = 0
 */
record TensorLayout(int rank, int channelAxis) {

    static final TensorLayout CHANNELS_LAST = new TensorLayout(4, 3);
    static final TensorLayout CHANNELS_FIRST = new TensorLayout(4, 1);
    static final TensorLayout PIXEL_ROWS = new TensorLayout(3, 2);
    static final TensorLayout PIXEL_COLUMNS = new TensorLayout(3, 1);

    boolean image() {
        return rank == 4;
    }

    boolean channelsFirst() {
        return channelAxis == 1;
    }

    /** A Keras axis argument (negative counts from the end) as an axis index, or -1 when out of range. */
    int axis(int kerasAxis) {
        int axis = kerasAxis < 0 ? rank + kerasAxis : kerasAxis;
        return axis >= 0 && axis < rank ? axis : -1;
    }

    /** The Keras shape (batch left out) of a map with these dimensions, e.g. {@code (h, w, C)}. */
    String describe(long channels, long height, long width) {
        if (image()) {
            return channelsFirst() ? "(" + channels + ", " + height + ", " + width + ")"
                    : "(" + height + ", " + width + ", " + channels + ")";
        }
        return channelsFirst() ? "(" + channels + ", " + height * width + ")" : "(" + height * width + ", " + channels + ")";
    }
}
