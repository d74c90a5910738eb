package ai.dilation4j.train.testing;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import javax.imageio.ImageIO;

/**
 * Draws a labelled data set: textured discs (class 1, reddish with stripes) and rectangles (class 2, bluish with a
 * checkerboard) on a noisy gray-green background (class 0), with exact masks and a band of the ignore label 255
 * along the image borders. Images are PNGs in {@code images/}, labels 8-bit gray PNGs of the same stem in
 * {@code labels/}.
 */
public final class ShapesDataset {

    public static final int CLASSES = 3;
    public static final int BORDER_BAND = 3;

    private ShapesDataset() {
    }

    /** Writes {@code count} pairs of {@code size x size} pixels under {@code dir}; returns {@code dir}. */
    public static Path write(Path dir, int count, int size, long seed) throws IOException {
        Path images = Files.createDirectories(dir.resolve("images"));
        Path labels = Files.createDirectories(dir.resolve("labels"));
        SplittableRandom random = new SplittableRandom(seed);
        for (int n = 0; n < count; n++) {
            BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            BufferedImage label = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
            int[] classOf = new int[size * size];
            int discX = random.nextInt(size);
            int discY = random.nextInt(size);
            int radius = size / 8 + random.nextInt(size / 5);
            int rectX = random.nextInt(size / 2);
            int rectY = random.nextInt(size / 2);
            int rectW = size / 4 + random.nextInt(size / 2);
            int rectH = size / 4 + random.nextInt(size / 2);
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    int c = 0;
                    if (x >= rectX && x < rectX + rectW && y >= rectY && y < rectY + rectH) {
                        c = 2;
                    }
                    int dx = x - discX;
                    int dy = y - discY;
                    if (dx * dx + dy * dy <= radius * radius) {
                        c = 1;
                    }
                    classOf[y * size + x] = c;
                    int noise = random.nextInt(41) - 20;
                    int rgb = switch (c) {
                        case 1 -> rgb(200 + ((x + y) % 6 < 3 ? 40 : -40) + noise, 60 + noise, 50 + noise);
                        case 2 -> rgb(40 + noise, 70 + noise, 190 + (((x / 3) + (y / 3)) % 2 == 0 ? 50 : -30) + noise);
                        default -> rgb(110 + noise, 130 + noise, 100 + noise);
                    };
                    image.setRGB(x, y, rgb);
                    boolean border = x < BORDER_BAND || y < BORDER_BAND || x >= size - BORDER_BAND
                            || y >= size - BORDER_BAND;
                    label.getRaster().setSample(x, y, 0, border ? 255 : c);
                }
            }
            String stem = String.format("shape%03d", n);
            ImageIO.write(image, "png", images.resolve(stem + ".png").toFile());
            ImageIO.write(label, "png", labels.resolve(stem + ".png").toFile());
        }
        return dir;
    }

    private static int rgb(int r, int g, int b) {
        return clamp(r) << 16 | clamp(g) << 8 | clamp(b);
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
