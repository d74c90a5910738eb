package ai.dilation4j.runtime.segment;

import java.util.ArrayList;
import java.util.List;

/**
 * What the first bytes of a PNG or JPEG file say about its pixels, so that conversions OpenCV's
 * {@code IMREAD_COLOR} applies silently (gray to BGR, alpha dropped, 16 to 8 bits) can be reported.
 */
final class ImageHeader {

    private ImageHeader() {
    }

    /** Human-readable notes on the conversions decoding this file as 8-bit BGR implies; empty for 8-bit color. */
    static List<String> conversions(byte[] head) {
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
        } else if (isJpeg(head) && jpegComponents(head) == 1) {
            notes.add("grayscale image replicated to 3 channels");
        }
        return notes;
    }

    /**
     * Width and height as the file header declares them, for PNG, JPEG, GIF and BMP; empty for other formats or
     * when the header is not within the given bytes. Read before decoding so an oversized image is refused cheaply.
     */
    static java.util.Optional<int[]> dimensions(byte[] head) {
        if (isPng(head) && head.length >= 24) {
            return java.util.Optional.of(new int[] {bigEndian32(head, 16), bigEndian32(head, 20)});
        }
        if (isJpeg(head)) {
            int frame = jpegStartOfFrame(head);
            if (frame >= 0 && frame + 9 <= head.length) {
                int height = ((head[frame + 5] & 0xff) << 8) | (head[frame + 6] & 0xff);
                int width = ((head[frame + 7] & 0xff) << 8) | (head[frame + 8] & 0xff);
                return java.util.Optional.of(new int[] {width, height});
            }
            return java.util.Optional.empty();
        }
        if (head.length >= 10 && head[0] == 'G' && head[1] == 'I' && head[2] == 'F') {
            return java.util.Optional.of(new int[] {littleEndian16(head, 6), littleEndian16(head, 8)});
        }
        if (head.length >= 26 && head[0] == 'B' && head[1] == 'M') {
            return java.util.Optional.of(new int[] {Math.abs(littleEndian32(head, 18)),
                    Math.abs(littleEndian32(head, 22))});
        }
        return java.util.Optional.empty();
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

    private static int bigEndian32(byte[] b, int i) {
        return ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }

    private static int littleEndian16(byte[] b, int i) {
        return (b[i] & 0xff) | ((b[i + 1] & 0xff) << 8);
    }

    private static int littleEndian32(byte[] b, int i) {
        return littleEndian16(b, i) | (littleEndian16(b, i + 2) << 16);
    }

    private static boolean isPng(byte[] head) {
        return head.length >= 8 && (head[0] & 0xff) == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G';
    }

    private static boolean isJpeg(byte[] head) {
        return head.length >= 3 && (head[0] & 0xff) == 0xFF && (head[1] & 0xff) == 0xD8;
    }

    /** Number of color components in the first start-of-frame segment, or -1 if not found in the bytes given. */
    private static int jpegComponents(byte[] head) {
        int frame = jpegStartOfFrame(head);
        return frame >= 0 && frame + 9 < head.length ? head[frame + 9] & 0xff : -1;
    }

    /** Offset of the first start-of-frame marker, or -1 if it is not within the bytes given. */
    private static int jpegStartOfFrame(byte[] head) {
        int i = 2;
        while (i + 3 < head.length) {
            if ((head[i] & 0xff) != 0xFF) {
                return -1;
            }
            int marker = head[i + 1] & 0xff;
            boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
                    && marker != 0xCC;
            if (startOfFrame) {
                return i;
            }
            i += 2 + (((head[i + 2] & 0xff) << 8) | (head[i + 3] & 0xff));
        }
        return -1;
    }
}
