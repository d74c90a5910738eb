package ai.dilation4j.runtime.image;

/**
 * Bounds on the work and memory one image may cost, checked from the image header before it is decoded: the
 * encoded size, the pixel count, the aspect ratio and the number of network tiles the image needs once the label
 * margin is added. Pixels alone do not bound the work: a 1 x 999999 image is one megapixel, but each of its
 * columns becomes part of a margin-padded tile, some 1,900 full-size forward passes.
 *
 * @param maxEncodedBytes largest accepted file or byte array
 * @param maxPixels       largest accepted width x height
 * @param maxTiles        largest number of network tiles (forward passes) for one image
 * @param maxAspectRatio  largest accepted ratio of the longer side to the shorter one
 */
public record ImageLimits(long maxEncodedBytes, long maxPixels, long maxTiles, double maxAspectRatio)
        implements java.io.Serializable {

    /**
     * 64 MB, 20 megapixels, 128 tiles, 20:1. A 20-megapixel image needs up to ~85 DilatedNet-8 tiles and, with 21
     * classes, ~1.7 GB for its class probabilities at image size.
     */
    public static final ImageLimits DEFAULT = new ImageLimits(ImageLimits.DEFAULT_MAX_ENCODED_BYTES,
            ImageLimits.DEFAULT_MAX_PIXELS, ImageLimits.DEFAULT_MAX_TILES, ImageLimits.DEFAULT_MAX_ASPECT_RATIO);
    public static final long DEFAULT_MAX_ENCODED_BYTES = 64L << 20;
    public static final long DEFAULT_MAX_PIXELS = 20_000_000L;
    public static final long DEFAULT_MAX_TILES = 128;
    public static final double DEFAULT_MAX_ASPECT_RATIO = 20;
    public static final ImageLimits NONE = new ImageLimits(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE,
            Double.POSITIVE_INFINITY);

    public ImageLimits {
        if (maxEncodedBytes < 1 || maxPixels < 1 || maxTiles < 1 || !(maxAspectRatio >= 1)) {
            throw new IllegalArgumentException("limits must be positive and the aspect ratio at least 1, got bytes "
                    + maxEncodedBytes + ", pixels " + maxPixels + ", tiles " + maxTiles + ", aspect ratio "
                    + maxAspectRatio);
        }
    }

    /**
     * The checks that need no model: pixel count and aspect ratio (the tile count is checked by the segmenter, which
     * knows the network input and the margin).
     */
    public void checkSize(String name, long width, long height) throws ImageTooLargeException {
        double pixels = (double) width * height;
        if (pixels > maxPixels) {
            throw new ImageTooLargeException("Image " + name + " is " + width + "x" + height + " = "
                    + (long) pixels + " pixels, more than the limit of " + maxPixels
                    + ". Scale it down first, or raise the pixel limit.");
        }
        double ratio = (double) Math.max(width, height) / Math.max(1, Math.min(width, height));
        if (ratio > maxAspectRatio) {
            throw new ImageTooLargeException("Image " + name + " is " + width + "x" + height + ", an aspect ratio of "
                    + String.format(java.util.Locale.ROOT, "%.0f", ratio) + ":1, more than the limit of "
                    + String.format(java.util.Locale.ROOT, "%.0f", maxAspectRatio)
                    + ":1 (each side is padded by the label margin, so thin images cost many tiles for few pixels). "
                    + "Crop it, or raise the aspect-ratio limit.");
        }
    }

    public ImageLimits withMaxEncodedBytes(long bytes) {
        return new ImageLimits(bytes, maxPixels, maxTiles, maxAspectRatio);
    }

    public ImageLimits withMaxPixels(long pixels) {
        return new ImageLimits(maxEncodedBytes, pixels, maxTiles, maxAspectRatio);
    }

    public ImageLimits withMaxTiles(long tiles) {
        return new ImageLimits(maxEncodedBytes, maxPixels, tiles, maxAspectRatio);
    }

    public ImageLimits withMaxAspectRatio(double ratio) {
        return new ImageLimits(maxEncodedBytes, maxPixels, maxTiles, ratio);
    }
}
