package ai.dilation4j.runtime.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the first bytes of an encoded image say: its size, read before decoding so that an image too large for
 * the limits costs nothing (a 2.6 MB PNG can declare 30000 x 30000 pixels), and the conversions OpenCV's
 * {@code IMREAD_COLOR} applies silently (gray to BGR, alpha dropped, 16 to 8 bits), so they can be reported.
 *
 * <p>Sizes are read for every format segment accepts: PNG, JPEG, BMP, TIFF, WebP, PNM (PBM/PGM/PPM), Sun raster
 * and Radiance HDR.
 */
public final class ImageHeader {

    /** The formats whose size {@link #dimensions} reads, for messages. */
    public static final String KNOWN_FORMATS = "PNG, JPEG, BMP, TIFF, WebP, PNM, Sun raster or Radiance HDR";

    private static final int FIRST_BYTES = 4096;
    /** JPEG segments walked before giving up; real files have tens. */
    private static final int MAX_JPEG_SEGMENTS = 4096;
    private static final Pattern RADIANCE_SIZE = Pattern.compile("^[-+][XY] (\\d+) [-+][XY] (\\d+)$");

    private ImageHeader() {
    }

    /** Width and height an image header declares. */
    public record Size(long width, long height) {
    }

    /** The declared size of an encoded image in a byte array, or empty if its format is not one read here. */
    public static Optional<Size> dimensions(byte[] encoded) {
        try {
            return dimensions(EncodedBytes.of(encoded));
        } catch (IOException e) {
            throw new IllegalStateException("reading an array cannot fail", e);
        }
    }

    static Optional<Size> dimensions(EncodedBytes bytes) throws IOException {
        byte[] head = bytes.read(0, FIRST_BYTES);
        if (isPng(head)) {
            return head.length >= 24 ? Optional.of(new Size(bigEndian32(head, 16), bigEndian32(head, 20)))
                    : Optional.empty();
        }
        if (isJpeg(head)) {
            return jpegSize(bytes);
        }
        if (head.length >= 26 && head[0] == 'B' && head[1] == 'M') {
            return bmpSize(head);
        }
        if (isTiff(head) && head.length >= 8) {
            return tiffSize(bytes, head[0] == 'I');
        }
        if (isWebp(head) && head.length >= 30) {
            return webpSize(head);
        }
        if (head.length >= 2 && head[0] == 'P' && head[1] >= '1' && head[1] <= '6') {
            return pnmSize(head);
        }
        if (head.length >= 12 && bigEndian32(head, 0) == 0x59a66a95) {
            return Optional.of(new Size(bigEndian32(head, 4), bigEndian32(head, 8)));
        }
        if (head.length >= 2 && head[0] == '#' && head[1] == '?') {
            return radianceSize(head);
        }
        return Optional.empty();
    }

    /** The format the first bytes announce (by their magic number), if it is one whose size is read here. */
    static Optional<String> format(byte[] head) {
        if (isPng(head)) {
            return Optional.of("PNG");
        }
        if (isJpeg(head)) {
            return Optional.of("JPEG");
        }
        if (isTiff(head)) {
            return Optional.of("TIFF");
        }
        if (isWebp(head)) {
            return Optional.of("WebP");
        }
        return Optional.empty();
    }

    /** Human-readable notes on the conversions decoding this file as 8-bit BGR implies; empty for 8-bit color. */
    static List<String> conversions(EncodedBytes bytes) throws IOException {
        byte[] head = bytes.read(0, 26);
        List<String> notes = new ArrayList<>();
        if (isPng(head) && head.length >= 26) {
            int bitDepth = head[24] & 0xff;
            int colorType = head[25] & 0xff;
            if (bitDepth == 16) {
                notes.add("16-bit image reduced to 8 bits per channel");
            }
            if (colorType == 0 || colorType == 4) {
                notes.add("grayscale image replicated to 3 channels");
            }
            if (colorType == 4 || colorType == 6) {
                notes.add("alpha channel ignored");
            }
        } else if (isJpeg(head) && jpegFrameHeader(bytes).map(frame -> frame[9] & 0xff).orElse(-1) == 1) {
            notes.add("grayscale image replicated to 3 channels");
        }
        return notes;
    }

    /**
     * Whether {@code tail} (the last bytes of a JPEG file) lacks the end-of-image marker: the file was cut short.
     * libjpeg decodes such files with a warning and fills the missing rows with gray, which would pass silently.
     */
    static boolean truncatedJpeg(byte[] head, byte[] tail) {
        if (!isJpeg(head)) {
            return false;
        }
        for (int i = tail.length - 2; i >= 0; i--) {
            if ((tail[i] & 0xff) == 0xFF && (tail[i + 1] & 0xff) == 0xD9) {
                return false;
            }
        }
        return true;
    }

    private static Optional<Size> jpegSize(EncodedBytes bytes) throws IOException {
        Optional<byte[]> frame = jpegFrameHeader(bytes);
        return frame.map(header -> new Size(bigEndian16(header, 7), bigEndian16(header, 5)));
    }

    /**
     * The first 10 bytes of a JPEG's first start-of-frame segment (marker, length, precision, height, width,
     * components), found by walking the segments from the start, past any amount of metadata; empty if the file ends
     * or breaks off before one.
     */
    private static Optional<byte[]> jpegFrameHeader(EncodedBytes bytes) throws IOException {
        long offset = 2;
        for (int segment = 0; segment < MAX_JPEG_SEGMENTS; segment++) {
            byte[] marker = bytes.read(offset, 10);
            if (marker.length < 4 || (marker[0] & 0xff) != 0xFF) {
                return Optional.empty();
            }
            int type = marker[1] & 0xff;
            if (type == 0xFF) {
                offset++; // fill byte before a marker
                continue;
            }
            if (isStartOfFrame(type)) {
                return marker.length < 10 ? Optional.empty() : Optional.of(marker);
            }
            offset += 2 + bigEndian16(marker, 2);
        }
        return Optional.empty();
    }

    private static Optional<Size> bmpSize(byte[] head) {
        int headerSize = littleEndian32(head, 14);
        if (headerSize == 12) {
            return Optional.of(new Size(littleEndian16(head, 18), littleEndian16(head, 20)));
        }
        // Height is negative for top-down bitmaps.
        return Optional.of(new Size(Math.abs((long) littleEndian32(head, 18)), Math.abs((long) littleEndian32(head, 22))));
    }

    private static Optional<Size> tiffSize(EncodedBytes bytes, boolean littleEndian) throws IOException {
        byte[] start = bytes.read(0, 8);
        long ifd = Integer.toUnsignedLong(int32(start, 4, littleEndian));
        byte[] countBytes = bytes.read(ifd, 2);
        if (countBytes.length < 2) {
            return Optional.empty();
        }
        int entries = int16(countBytes, 0, littleEndian);
        byte[] table = bytes.read(ifd + 2, entries * 12);
        long width = -1;
        long height = -1;
        for (int i = 0; i + 12 <= table.length; i += 12) {
            int tag = int16(table, i, littleEndian);
            int type = int16(table, i + 2, littleEndian);
            long value = type == 3 ? int16(table, i + 8, littleEndian)
                    : Integer.toUnsignedLong(int32(table, i + 8, littleEndian));
            if (tag == 256) {
                width = value;
            } else if (tag == 257) {
                height = value;
            }
        }
        return width < 0 || height < 0 ? Optional.empty() : Optional.of(new Size(width, height));
    }

    private static Optional<Size> webpSize(byte[] head) {
        String chunk = ascii(head, 12, 4);
        return switch (chunk) {
            case "VP8 " -> Optional.of(new Size(littleEndian16(head, 26) & 0x3fff, littleEndian16(head, 28) & 0x3fff));
            case "VP8L" -> {
                int bits = littleEndian32(head, 21);
                yield Optional.of(new Size((bits & 0x3fff) + 1L, ((bits >>> 14) & 0x3fff) + 1L));
            }
            case "VP8X" -> Optional.of(new Size(littleEndian24(head, 24) + 1L, littleEndian24(head, 27) + 1L));
            default -> Optional.empty();
        };
    }

    /** PBM/PGM/PPM: magic, then width and height as decimal text, with '#' comments allowed between tokens. */
    private static Optional<Size> pnmSize(byte[] head) {
        long[] numbers = new long[2];
        int found = 0;
        int i = 2;
        while (found < 2 && i < head.length) {
            int c = head[i] & 0xff;
            if (c == '#') {
                while (i < head.length && head[i] != '\n' && head[i] != '\r') {
                    i++;
                }
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (c >= '0' && c <= '9') {
                long value = 0;
                while (i < head.length && head[i] >= '0' && head[i] <= '9' && value < Integer.MAX_VALUE) {
                    value = value * 10 + (head[i++] - '0');
                }
                numbers[found++] = value;
            } else {
                return Optional.empty();
            }
        }
        return found == 2 ? Optional.of(new Size(numbers[0], numbers[1])) : Optional.empty();
    }

    /** Radiance RGBE: text header lines, an empty line, then the resolution line such as {@code -Y 512 +X 768}. */
    private static Optional<Size> radianceSize(byte[] head) {
        String text = new String(head, StandardCharsets.ISO_8859_1);
        int blank = text.indexOf("\n\n");
        if (blank < 0) {
            return Optional.empty();
        }
        int end = text.indexOf('\n', blank + 2);
        if (end < 0) {
            return Optional.empty();
        }
        Matcher matcher = RADIANCE_SIZE.matcher(text.substring(blank + 2, end).trim());
        if (!matcher.matches()) {
            return Optional.empty();
        }
        try {
            long rows = Long.parseLong(matcher.group(1));
            long columns = Long.parseLong(matcher.group(2));
            return Optional.of(new Size(columns, rows));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    private static String ascii(byte[] b, int offset, int length) {
        return new String(b, offset, length, StandardCharsets.ISO_8859_1);
    }

    private static long bigEndian32(byte[] b, int i) {
        return Integer.toUnsignedLong(((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8)
                | (b[i + 3] & 0xff));
    }

    private static int bigEndian16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    private static int littleEndian16(byte[] b, int i) {
        return (b[i] & 0xff) | ((b[i + 1] & 0xff) << 8);
    }

    private static int littleEndian24(byte[] b, int i) {
        return littleEndian16(b, i) | ((b[i + 2] & 0xff) << 16);
    }

    private static int littleEndian32(byte[] b, int i) {
        return littleEndian16(b, i) | (littleEndian16(b, i + 2) << 16);
    }

    private static int int16(byte[] b, int i, boolean littleEndian) {
        return littleEndian ? littleEndian16(b, i) : bigEndian16(b, i);
    }

    private static int int32(byte[] b, int i, boolean littleEndian) {
        return littleEndian ? littleEndian32(b, i) : (int) bigEndian32(b, i);
    }

    private static boolean isPng(byte[] head) {
        return head.length >= 8 && (head[0] & 0xff) == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G';
    }

    private static boolean isTiff(byte[] head) {
        return head.length >= 4 && ((head[0] == 'I' && head[1] == 'I' && head[2] == 42 && head[3] == 0)
                || (head[0] == 'M' && head[1] == 'M' && head[2] == 0 && head[3] == 42));
    }

    private static boolean isWebp(byte[] head) {
        return head.length >= 12 && ascii(head, 0, 4).equals("RIFF") && ascii(head, 8, 4).equals("WEBP");
    }

    private static boolean isJpeg(byte[] head) {
        return head.length >= 3 && (head[0] & 0xff) == 0xFF && (head[1] & 0xff) == 0xD8;
    }
}
