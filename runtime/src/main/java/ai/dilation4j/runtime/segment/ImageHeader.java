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

    private static boolean isPng(byte[] head) {
        return head.length >= 8 && (head[0] & 0xff) == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G';
    }

    private static boolean isJpeg(byte[] head) {
        return head.length >= 3 && (head[0] & 0xff) == 0xFF && (head[1] & 0xff) == 0xD8;
    }

    /** Number of color components in the first start-of-frame segment, or -1 if not found in the bytes given. */
    private static int jpegComponents(byte[] head) {
        int i = 2;
        while (i + 9 < head.length) {
            if ((head[i] & 0xff) != 0xFF) {
                return -1;
            }
            int marker = head[i + 1] & 0xff;
            int length = ((head[i + 2] & 0xff) << 8) | (head[i + 3] & 0xff);
            boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
                    && marker != 0xCC;
            if (startOfFrame) {
                return head[i + 9] & 0xff;
            }
            i += 2 + length;
        }
        return -1;
    }
}
