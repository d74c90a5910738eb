package ai.dilation4j.runtime.segment;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
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
 */
public final class ImageDecoder {

    private static final int HEADER_BYTES = 64 * 1024;
    private static final int TAIL_BYTES = 1024;

    private ImageDecoder() {
    }

    public static DecodedImage decode(Path file) throws InvalidInputException {
        return decode(file, ImageLimits.NONE);
    }

    public static DecodedImage decode(Path file, ImageLimits limits) throws InvalidInputException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            long size = Files.size(file);
            if (size > limits.maxEncodedBytes()) {
                throw new ImageTooLargeException("Image " + file + " has " + size + " bytes, more than the limit of "
                        + limits.maxEncodedBytes() + ".");
            }
            head = in.readNBytes(HEADER_BYTES);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("Image " + file + " does not exist.", e);
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read image " + file + ": " + e.getMessage(), e);
        }
        checkDeclaredSize(file.toString(), head, limits);
        checkComplete(file.toString(), head, tailOf(file));
        Mat bgr = opencv_imgcodecs.imread(file.toString(), opencv_imgcodecs.IMREAD_COLOR);
        return checked(file.toString(), bgr, ImageHeader.conversions(head), limits);
    }

    public static DecodedImage decode(String name, byte[] encoded, ImageLimits limits) throws InvalidInputException {
        if (encoded.length == 0) {
            throw new InvalidInputException("Image " + name + " is empty.");
        }
        if (encoded.length > limits.maxEncodedBytes()) {
            throw new ImageTooLargeException("Image " + name + " has " + encoded.length
                    + " bytes, more than the limit of " + limits.maxEncodedBytes() + ".");
        }
        byte[] head = Arrays.copyOf(encoded, Math.min(encoded.length, HEADER_BYTES));
        checkDeclaredSize(name, head, limits);
        checkComplete(name, head, Arrays.copyOfRange(encoded, Math.max(0, encoded.length - TAIL_BYTES), encoded.length));
        Mat bgr;
        try (BytePointer data = new BytePointer(encoded); Mat buffer = new Mat(1, encoded.length, opencv_core.CV_8UC1, data)) {
            bgr = opencv_imgcodecs.imdecode(buffer, opencv_imgcodecs.IMREAD_COLOR);
        }
        return checked(name, bgr, ImageHeader.conversions(head), limits);
    }

    /** Converts a Java image (any type; alpha ignored, gray replicated) to 8-bit BGR. */
    public static DecodedImage decode(String name, BufferedImage image, ImageLimits limits)
            throws InvalidInputException {
        checkPixels(name, image.getWidth(), image.getHeight(), limits);
        BufferedImage bgr = image;
        if (image.getType() != BufferedImage.TYPE_3BYTE_BGR) {
            bgr = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
            Graphics2D graphics = bgr.createGraphics();
            graphics.drawImage(image, 0, 0, null);
            graphics.dispose();
        }
        byte[] pixels = ((DataBufferByte) bgr.getRaster().getDataBuffer()).getData();
        Mat mat = new Mat(image.getHeight(), image.getWidth(), opencv_core.CV_8UC3);
        ((ByteBuffer) mat.createBuffer()).put(pixels);
        return new DecodedImage(name, mat, List.of());
    }

    /** Copies an OpenCV image: 8-bit BGR as is, 8-bit gray or BGRA converted. */
    public static DecodedImage decode(String name, Mat image, ImageLimits limits) throws InvalidInputException {
        checkPixels(name, image.cols(), image.rows(), limits);
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

    private static byte[] tailOf(Path file) throws InvalidInputException {
        try (java.nio.channels.SeekableByteChannel channel = Files.newByteChannel(file)) {
            long size = channel.size();
            ByteBuffer tail = ByteBuffer.allocate((int) Math.min(size, TAIL_BYTES));
            channel.position(size - tail.capacity());
            while (tail.hasRemaining() && channel.read(tail) > 0) {
                // fill the buffer
            }
            return Arrays.copyOf(tail.array(), tail.position());
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read image " + file + ": " + e.getMessage(), e);
        }
    }

    private static void checkComplete(String name, byte[] head, byte[] tail) throws InvalidInputException {
        if (ImageHeader.truncatedJpeg(head, tail)) {
            throw new InvalidInputException("Image " + name + " is a truncated JPEG (no end-of-image marker); "
                    + "the file was cut short.");
        }
    }

    private static void checkDeclaredSize(String name, byte[] head, ImageLimits limits) throws InvalidInputException {
        Optional<int[]> size = ImageHeader.dimensions(head);
        if (size.isPresent()) {
            checkPixels(name, size.get()[0], size.get()[1], limits);
        }
    }

    private static void checkPixels(String name, long width, long height, ImageLimits limits)
            throws ImageTooLargeException {
        if (width * height > limits.maxPixels()) {
            throw new ImageTooLargeException("Image " + name + " is " + width + "x" + height + " = " + width * height
                    + " pixels, more than the limit of " + limits.maxPixels() + ". Scale it down first.");
        }
    }

    private static DecodedImage checked(String name, Mat bgr, List<String> conversions, ImageLimits limits)
            throws InvalidInputException {
        if (bgr == null || bgr.empty()) {
            if (bgr != null) {
                bgr.close();
            }
            throw new InvalidInputException("Cannot decode image " + name + ": it is not an image OpenCV can read "
                    + "(PNG, JPEG, BMP, TIFF, WebP, ...), or it is truncated or corrupt.");
        }
        try {
            checkPixels(name, bgr.cols(), bgr.rows(), limits);
        } catch (ImageTooLargeException e) {
            bgr.close();
            throw e;
        }
        return new DecodedImage(name, bgr, conversions);
    }
}
