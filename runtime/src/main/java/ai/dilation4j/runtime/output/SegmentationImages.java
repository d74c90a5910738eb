package ai.dilation4j.runtime.output;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.util.List;

import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

import ai.dilation4j.runtime.segment.SegmentationResult;

/** A {@link SegmentationResult} as images: label, color, palette and overlay PNGs. */
public final class SegmentationImages {

    private SegmentationImages() {
    }

    /** 8-bit single-channel image of class indices. */
    public static Mat labels(SegmentationResult result) {
        IntBuffer labels = result.labelBuffer();
        if (result.dataset().numClasses() > 256) {
            throw new IllegalStateException("more than 256 classes do not fit an 8-bit label image");
        }
        Mat mat = new Mat(result.height(), result.width(), opencv_core.CV_8UC1);
        ByteBuffer pixels = mat.createBuffer();
        for (int i = 0; i < labels.limit(); i++) {
            pixels.put(i, (byte) labels.get(i));
        }
        return mat;
    }

    /** The palette color of every pixel's class, as a BGR image (written as RGB PNG, like predict.py). */
    public static Mat color(SegmentationResult result) {
        IntBuffer labels = result.labelBuffer();
        List<int[]> palette = result.dataset().palette();
        Mat mat = new Mat(result.height(), result.width(), opencv_core.CV_8UC3);
        ByteBuffer pixels = mat.createBuffer();
        for (int i = 0; i < labels.limit(); i++) {
            int[] rgb = palette.get(labels.get(i));
            pixels.put(3 * i, (byte) rgb[2]);
            pixels.put(3 * i + 1, (byte) rgb[1]);
            pixels.put(3 * i + 2, (byte) rgb[0]);
        }
        return mat;
    }

    /** The image and the class colors blended half and half. */
    public static Mat overlay(Mat imageBgr, SegmentationResult result) {
        try (Mat color = color(result)) {
            Mat blended = new Mat();
            opencv_core.addWeighted(imageBgr, 0.5, color, 0.5, 0.0, blended);
            return blended;
        }
    }

    /** Encodes a Mat as PNG. */
    public static byte[] encodePng(Mat image) throws IOException {
        try (BytePointer encoded = new BytePointer()) {
            if (!opencv_imgcodecs.imencode(".png", image, encoded)) {
                throw new IOException("OpenCV could not encode the image as PNG");
            }
            byte[] bytes = new byte[(int) encoded.limit()];
            encoded.get(bytes);
            return bytes;
        }
    }

    /**
     * The class indices as an 8-bit palette (indexed) PNG whose color table is the dataset palette: the pixel values
     * are the classes and viewers show the class colors, the label format of PASCAL VOC and of its evaluation
     * server. OpenCV cannot write palette PNGs; ImageIO can.
     */
    public static byte[] encodePalettePng(SegmentationResult result) throws IOException {
        BufferedImage image = paletteImage(result);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(stream);
            writer.write(image);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static BufferedImage paletteImage(SegmentationResult result) {
        List<int[]> palette = result.dataset().palette();
        if (palette.size() > 256) {
            throw new IllegalStateException("more than 256 classes do not fit a palette PNG");
        }
        byte[][] channels = new byte[3][palette.size()];
        for (int c = 0; c < palette.size(); c++) {
            for (int channel = 0; channel < 3; channel++) {
                channels[channel][c] = (byte) palette.get(c)[channel];
            }
        }
        IndexColorModel colors = new IndexColorModel(8, palette.size(), channels[0], channels[1], channels[2]);
        BufferedImage image = new BufferedImage(result.width(), result.height(), BufferedImage.TYPE_BYTE_INDEXED,
                colors);
        byte[] pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        IntBuffer labels = result.labelBuffer();
        for (int i = 0; i < labels.limit(); i++) {
            pixels[i] = (byte) labels.get(i);
        }
        return image;
    }
}
