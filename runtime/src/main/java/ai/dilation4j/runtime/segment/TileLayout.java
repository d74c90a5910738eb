package ai.dilation4j.runtime.segment;

/**
 * How predict.py cuts an image into network tiles: the image, padded by the label margin on every side, is
 * covered by tiles of the network input size placed every {@code input - 2 * margin} pixels; each tile's valid
 * output is its central {@code (input - 2 * margin)} region, so the tiles' outputs abut without overlap.
 *
 * @param imageHeight image rows
 * @param imageWidth  image columns
 * @param inputHeight network input rows
 * @param inputWidth  network input columns
 * @param margin      label margin added on every side
 * @param tilesDown   tiles per column
 * @param tilesAcross tiles per row
 */
public record TileLayout(int imageHeight, int imageWidth, int inputHeight, int inputWidth, int margin,
                         int tilesDown, int tilesAcross) {

    public static TileLayout of(int imageHeight, int imageWidth, int inputHeight, int inputWidth, int margin) {
        int outputHeight = inputHeight - 2 * margin;
        int outputWidth = inputWidth - 2 * margin;
        if (outputHeight < 1 || outputWidth < 1) {
            throw new IllegalArgumentException("network input " + inputHeight + "x" + inputWidth
                    + " leaves no output inside a label margin of " + margin);
        }
        return new TileLayout(imageHeight, imageWidth, inputHeight, inputWidth, margin,
                ceilDiv(imageHeight, outputHeight), ceilDiv(imageWidth, outputWidth));
    }

    /** Rows of valid output per tile (at image resolution). */
    public int outputHeight() {
        return inputHeight - 2 * margin;
    }

    public int outputWidth() {
        return inputWidth - 2 * margin;
    }

    public int tiles() {
        return tilesDown * tilesAcross;
    }

    /** Top row of tile {@code row} in the padded image (also its first output row in the image). */
    public int top(int row) {
        return row * outputHeight();
    }

    public int left(int column) {
        return column * outputWidth();
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
