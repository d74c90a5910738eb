package ai.dilation4j.runtime.image;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.io.FileNotFoundException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;

import ai.dilation4j.runtime.InvalidInputException;

/**
 * Decodes images with OpenCV the way predict.py does ({@code IMREAD_COLOR}): 8-bit BGR, EXIF-oriented; and
 * accepts in-memory images ({@link BufferedImage}, OpenCV {@link Mat}) converted to the same form.
 *
 * <p>Encoded images are sized from their header and passed through a {@link SizeCheck} before anything is
 * decoded, so an oversized image costs a few kilobytes of reading; formats whose header is not read here are
 * refused rather than decoded blind.
 */
public final class ImageDecoder {

    /**
     * The file-name extensions (lower case) of the formats it decodes: the {@code segment} command and the batch jobs
     * take a directory's images by them.
     */
    public static final java.util.Set<String> FILE_EXTENSIONS = java.util.Set.of("png", "jpg", "jpeg", "bmp", "tif",
            "tiff", "webp", "ppm", "pgm", "pbm", "pnm", "hdr", "pic", "ras", "sr");

    /** Enough of the start of a file to tell its format. */
    private static final int MAGIC_BYTES = 16;
    private static final int TAIL_BYTES = 1024;

    private ImageDecoder() {
    }

    /** Decodes an image file within the limits' bytes, pixels and aspect ratio. */
    public static DecodedImage decode(Path file, ImageLimits limits) throws InvalidInputException {
        return decode(file, limits.maxEncodedBytes(), limits::checkSize);
    }

    public static DecodedImage decode(Path file, long maxEncodedBytes, SizeCheck check) throws InvalidInputException {
        String name = file.toString();
        List<String> conversions;
        try (RandomAccessFile input = new RandomAccessFile(file.toFile(), "r")) {
            conversions = inspect(name, EncodedBytes.of(input), maxEncodedBytes, check);
        } catch (FileNotFoundException e) {
            throw new InvalidInputException(Files.isDirectory(file) ? "Image " + name + " is a directory."
                    : Files.exists(file) ? "Cannot open image " + name + ": " + e.getMessage()
                    : "Image " + name + " does not exist.", e);
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read image " + name + ": " + e, e);
        }
        Mat bgr = opencv_imgcodecs.imread(name, opencv_imgcodecs.IMREAD_COLOR);
        return checked(name, bgr, conversions, check);
    }

    public static DecodedImage decode(String name, byte[] encoded, long maxEncodedBytes, SizeCheck check)
            throws InvalidInputException {
        if (encoded.length == 0) {
            throw new InvalidInputException("Image " + name + " is empty (0 bytes).");
        }
        List<String> conversions;
        try {
            conversions = inspect(name, EncodedBytes.of(encoded), maxEncodedBytes, check);
        } catch (IOException e) {
            throw new IllegalStateException("reading an array cannot fail", e);
        }
        Mat bgr;
        try (BytePointer data = new BytePointer(encoded); Mat buffer = new Mat(1, encoded.length, opencv_core.CV_8UC1, data)) {
            bgr = opencv_imgcodecs.imdecode(buffer, opencv_imgcodecs.IMREAD_COLOR);
        }
        return checked(name, bgr, conversions, check);
    }

    /**
     * What an encoded image must pass before it is decoded, from its header and last bytes only: the byte limit, a
     * size declared in a known format, the size check, a complete JPEG. Returns the conversions decoding will apply.
     */
    private static List<String> inspect(String name, EncodedBytes bytes, long maxEncodedBytes, SizeCheck check)
            throws InvalidInputException, IOException {
        checkEncodedSize(name, bytes.size(), maxEncodedBytes);
        byte[] head = bytes.read(0, MAGIC_BYTES);
        ImageHeader.Size declared = declaredSize(name, head, ImageHeader.dimensions(bytes));
        check.check(name, declared.width(), declared.height());
        checkComplete(name, head, bytes.read(Math.max(0, bytes.size() - TAIL_BYTES), TAIL_BYTES));
        return ImageHeader.conversions(bytes);
    }

    /**
     * Converts a Java image of any type (sub-images included) to 8-bit BGR as OpenCV would decode the same pixels:
     * gray replicated (raw samples, 16-bit shifted to 8), alpha ignored, other color models through their sRGB
     * values.
     */
    public static DecodedImage decode(String name, BufferedImage image, SizeCheck check) throws InvalidInputException {
        int width = image.getWidth();
        int height = image.getHeight();
        check.check(name, width, height);
        Raster raster = image.getRaster();
        List<String> conversions = new ArrayList<>();
        byte[] bgr = new byte[Math.multiplyExact(Math.multiplyExact(width, height), 3)];
        boolean gray = raster.getNumBands() == 1 && !(image.getColorModel() instanceof IndexColorModel);
        if (gray) {
            int shift = Math.max(0, raster.getSampleModel().getSampleSize(0) - 8);
            int[] row = new int[width];
            for (int y = 0; y < height; y++) {
                raster.getSamples(raster.getMinX(), raster.getMinY() + y, width, 1, 0, row);
                for (int x = 0, i = y * width * 3; x < width; x++, i += 3) {
                    byte value = (byte) (row[x] >> shift);
                    bgr[i] = value;
                    bgr[i + 1] = value;
                    bgr[i + 2] = value;
                }
            }
            conversions.add("grayscale image replicated to 3 channels");
            if (shift > 0) {
                conversions.add(raster.getSampleModel().getSampleSize(0) + "-bit image reduced to 8 bits");
            }
        } else {
            int[] row = new int[width];
            for (int y = 0; y < height; y++) {
                image.getRGB(0, y, width, 1, row, 0, width);
                for (int x = 0, i = y * width * 3; x < width; x++, i += 3) {
                    int rgb = row[x];
                    bgr[i] = (byte) rgb;
                    bgr[i + 1] = (byte) (rgb >> 8);
                    bgr[i + 2] = (byte) (rgb >> 16);
                }
            }
            if (image.getColorModel().hasAlpha()) {
                conversions.add("alpha channel ignored");
            }
        }
        Mat mat = new Mat(height, width, opencv_core.CV_8UC3);
        ((ByteBuffer) mat.createBuffer()).put(bgr);
        return new DecodedImage(name, mat, conversions);
    }

    /** Copies an OpenCV image: 8-bit BGR as is, 8-bit gray or BGRA converted. */
    public static DecodedImage decode(String name, Mat image, SizeCheck check) throws InvalidInputException {
        check.check(name, image.cols(), image.rows());
        if (image.depth() != opencv_core.CV_8U) {
            throw new InvalidInputException("Image " + name + " is not 8-bit (OpenCV depth " + image.depth()
                    + "); convert it with Mat.convertTo first.");
        }
        Mat bgr = new Mat();
        switch (image.channels()) {
            case 3 -> image.copyTo(bgr);
            case 1 -> opencv_imgproc.cvtColor(image, bgr, opencv_imgproc.COLOR_GRAY2BGR);
            case 4 -> opencv_imgproc.cvtColor(image, bgr, opencv_imgproc.COLOR_BGRA2BGR);
            default -> {
                bgr.close();
                throw new InvalidInputException("Image " + name + " has " + image.channels()
                        + " channels; give a BGR, BGRA or gray image.");
            }
        }
        return new DecodedImage(name, bgr, image.channels() == 3 ? List.of()
                : List.of(image.channels() == 1 ? "grayscale image replicated to 3 channels" : "alpha channel ignored"));
    }

    private static void checkEncodedSize(String name, long size, long maxEncodedBytes) throws ImageTooLargeException {
        if (size > maxEncodedBytes) {
            throw new ImageTooLargeException("Image " + name + " has " + size
                    + " bytes, more than the limit of " + maxEncodedBytes
                    + ". Compress or scale it first, or raise the byte limit.");
        }
    }

    private static ImageHeader.Size declaredSize(String name, byte[] head, Optional<ImageHeader.Size> size)
            throws InvalidInputException {
        Optional<String> format = ImageHeader.format(head);
        if (size.isEmpty() && format.isPresent()) {
            throw new InvalidInputException("Cannot decode image " + name + ": it is a truncated or corrupt "
                    + format.get() + " file (its header holds no image size).");
        }
        if (size.isEmpty()) {
            throw new InvalidInputException("Cannot decode image " + name + ": it is not a " + ImageHeader.KNOWN_FORMATS
                    + " image (convert other formats to PNG first), or it is corrupt.");
        }
        if (size.get().width() < 1 || size.get().height() < 1) {
            throw new InvalidInputException("Image " + name + " declares " + size.get().width() + "x"
                    + size.get().height() + " pixels; the file is corrupt.");
        }
        return size.get();
    }

    private static void checkComplete(String name, byte[] head, byte[] tail) throws InvalidInputException {
        if (ImageHeader.truncatedJpeg(head, tail)) {
            throw new InvalidInputException("Image " + name + " is a truncated JPEG (no end-of-image marker); "
                    + "the file was cut short.");
        }
    }

    private static DecodedImage checked(String name, Mat bgr, List<String> conversions, SizeCheck check)
            throws InvalidInputException {
        if (bgr == null || bgr.empty()) {
            if (bgr != null) {
                bgr.close();
            }
            throw new InvalidInputException("Cannot decode image " + name + ": it is truncated or corrupt, or a "
                    + "variant of its format OpenCV cannot read.");
        }
        try {
            // The decoded size is authoritative (EXIF orientation may swap the sides).
            check.check(name, bgr.cols(), bgr.rows());
        } catch (ImageTooLargeException e) {
            bgr.close();
            throw e;
        }
        return new DecodedImage(name, bgr, conversions);
    }
}
