package ai.dilation4j.runtime.evaluate;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Objects;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;

import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.image.ImageLimits;
import ai.dilation4j.runtime.image.ImageTooLargeException;

/**
 * Reads ground-truth label images as class values. Java's ImageIO, not OpenCV, decodes them: it hands out a
 * palette PNG's stored indices (PASCAL VOC's labels are palette PNGs), where OpenCV expands the palette to colors.
 * The declared size is checked against the pixel limit before any pixel is decoded.
 */
public final class LabelReader {

    private static final String EXPECTED = "labels must be 8-bit class indices in a gray or palette (indexed) PNG";

    private final LabelFormat format;
    private final ImageLimits limits;

    public LabelReader(LabelFormat format, ImageLimits limits) {
        this.format = Objects.requireNonNull(format, "format");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public LabelFormat format() {
        return format;
    }

    /**
     * Decodes one label image; for {@link LabelFormat#CITYSCAPES} the label IDs become train IDs (others
     * {@link CityscapesLabels#IGNORED}).
     *
     * @throws InvalidInputException if the file is missing, too large, not an image ImageIO reads, or not an 8-bit
     *                               gray or palette image (16-bit, RGB, alpha)
     */
    public LabelImage read(Path file) throws InvalidInputException {
        checkFileSize(file);
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            return decode(file.toString(), in);
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read label image " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@link #read(Path)} for the bytes of a label image read elsewhere (a batch job reads them through its own file
     * system); {@code name} stands for the file in messages.
     */
    public LabelImage read(String name, byte[] encoded) throws InvalidInputException {
        if (encoded.length > limits.maxEncodedBytes()) {
            throw new ImageTooLargeException("Label image " + name + " has " + encoded.length + " bytes, more than the "
                    + "limit of " + limits.maxEncodedBytes() + ".");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
            return decode(name, in);
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read label image " + name + ": " + e.getMessage(), e);
        }
    }

    private LabelImage decode(String file, ImageInputStream in) throws InvalidInputException {
        try {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new InvalidInputException("Label image " + file + " is not an image Java can read (PNG, BMP, "
                        + "GIF, TIFF); " + EXPECTED + ".");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                limits.checkSize(file, width, height);
                ImageTypeSpecifier declared = reader.getRawImageType(0);
                if (declared != null) {
                    checkType(file, declared.getColorModel(), declared.getSampleModel().getSampleSize(0));
                }
                BufferedImage image = reader.read(0);
                checkType(file, image.getColorModel(), image.getSampleModel().getSampleSize(0));
                int[] values = image.getRaster().getSamples(0, 0, width, height, 0, (int[]) null);
                if (format == LabelFormat.CITYSCAPES) {
                    for (int i = 0; i < values.length; i++) {
                        values[i] = CityscapesLabels.trainId(values[i]);
                    }
                }
                return new LabelImage(width, height, values);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            // ImageIO reports corrupt data as IIOException or, for some malformed chunks, as runtime exceptions.
            throw new InvalidInputException("Cannot decode label image " + file + ": " + e.getMessage()
                    + " (truncated or corrupt?).", e);
        }
    }

    private void checkFileSize(Path file) throws InvalidInputException {
        long bytes;
        try {
            bytes = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("Label image " + file + " does not exist.", e);
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read label image " + file + ": " + e.getMessage(), e);
        }
        if (bytes > limits.maxEncodedBytes()) {
            throw new ImageTooLargeException("Label image " + file + " has " + bytes + " bytes, more than the limit of "
                    + limits.maxEncodedBytes() + ".");
        }
    }

    private static void checkType(String file, ColorModel colors, int bitsPerSample) throws InvalidInputException {
        if (colors instanceof IndexColorModel) {
            return;
        }
        int components = colors.getNumColorComponents();
        String kind = components == 1 ? "gray" : "color";
        if (bitsPerSample > 8) {
            throw new InvalidInputException("Label image " + file + " is a " + bitsPerSample + "-bit " + kind
                    + " image; " + EXPECTED + ".");
        }
        if (components != 1) {
            throw new InvalidInputException("Label image " + file + " is an RGB color image; " + EXPECTED
                    + " (class colors, such as the VOC palette's, are not mapped back to classes).");
        }
        if (colors.hasAlpha()) {
            throw new InvalidInputException("Label image " + file + " is a gray image with an alpha channel; "
                    + EXPECTED + ".");
        }
    }
}
