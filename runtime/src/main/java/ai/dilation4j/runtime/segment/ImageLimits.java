package ai.dilation4j.runtime.segment;

/**
 * Bounds on what a caller may submit: the encoded size in bytes, and the pixel count, checked from the image
 * header before the image is decoded (PNG, JPEG, GIF, BMP; other formats are checked right after decoding).
 *
 * @param maxEncodedBytes largest accepted file or byte array
 * @param maxPixels       largest accepted width x height
 */
public record ImageLimits(long maxEncodedBytes, long maxPixels) {

    /** 64 MB and 50 megapixels. */
    public static final ImageLimits DEFAULT = new ImageLimits(64L << 20, 50_000_000L);
    public static final ImageLimits NONE = new ImageLimits(Long.MAX_VALUE, Long.MAX_VALUE);

    public ImageLimits {
        if (maxEncodedBytes < 1 || maxPixels < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }
}
