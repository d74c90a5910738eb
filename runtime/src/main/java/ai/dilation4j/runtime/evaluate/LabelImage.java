package ai.dilation4j.runtime.evaluate;

import ai.dilation4j.runtime.InvalidInputException;

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

    /**
     * @param label the label image's name and {@code image} the image's, for the message
     * @throws InvalidInputException unless this label has the image's size
     */
    public void requireSize(String label, String image, int imageWidth, int imageHeight)
            throws InvalidInputException {
        if (width != imageWidth || height != imageHeight) {
            throw new InvalidInputException("Label image " + label + " is " + width + "x" + height + " but image "
                    + image + " is " + imageWidth + "x" + imageHeight + " (width x height); a label image must have "
                    + "its image's size.");
        }
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
