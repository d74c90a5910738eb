package ai.dilation4j.runtime.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.SplittableRandom;

import javax.imageio.ImageIO;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

/** Test images made on the spot, so that no test depends on image files checked in or in {@code ../shared}. */
public final class SyntheticImages {

    private SyntheticImages() {
    }

    /**
     * A deterministic color scene (gradients, stripes and noise, so that a network's classes vary across it) of the
     * given size, written in the format the file name's extension asks OpenCV for (PNG, JPEG, ...).
     */
    public static Path scene(Path file, int height, int width, int seed) {
        try (Mat mat = new Mat(height, width, opencv_core.CV_8UC3)) {
            ByteBuffer pixels = mat.createBuffer();
            Random random = new Random(seed);
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int i = 3 * (y * width + x);
                    pixels.put(i, (byte) ((x * 255 / width + random.nextInt(30)) & 0xff));
                    pixels.put(i + 1, (byte) ((y * 255 / height + random.nextInt(30)) & 0xff));
                    pixels.put(i + 2, (byte) (((x / 7 + y / 5) % 2) * 200 + random.nextInt(50)));
                }
            }
            if (!opencv_imgcodecs.imwrite(file.toString(), mat)) {
                throw new IllegalStateException("OpenCV could not write " + file);
            }
        }
        return file;
    }

    /** An image of random colors, as PNG bytes: no class of a network dominates it. */
    public static byte[] noisePng(int width, int height, long seed) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        SplittableRandom random = new SplittableRandom(seed);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return png.toByteArray();
    }
}
