package ai.dilation4j.runtime.evaluate;

/** A decoded ground-truth image: the class of every pixel, row-major, ignored pixels included as their value. */
public final class LabelImage {

    private final int width;
    private final int height;
    private final int[] values;

    LabelImage(int width, int height, int[] values) {
        if ((long) width * height != values.length) {
            throw new IllegalArgumentException(width + "x" + height + " labels need " + (long) width * height
                    + " values, got " + values.length);
        }
        this.width = width;
        this.height = height;
        this.values = values;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Class (or ignore value) per pixel, row-major, {@code height * width} values. */
    public int[] values() {
        return values.clone();
    }

    int[] valuesView() {
        return values;
    }
}
