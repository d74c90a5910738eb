package ai.dilation4j.train;

import java.util.ArrayList;
import java.util.List;

/** Class colors for classes that come without a palette. */
final class Palettes {

    private Palettes() {
    }

    /**
     * PASCAL VOC's palette, extended to any count: class {@code c}'s bits spread over the high bits of R, G and B
     * (0 black, 1 dark red, 2 dark green, ...), so the first 21 colors are VOC's own.
     */
    static List<int[]> generated(int classes) {
        List<int[]> palette = new ArrayList<>(classes);
        for (int c = 0; c < classes; c++) {
            int r = 0;
            int g = 0;
            int b = 0;
            int bits = c;
            for (int shift = 7; shift >= 0 && bits > 0; shift--) {
                r |= (bits & 1) << shift;
                g |= ((bits >> 1) & 1) << shift;
                b |= ((bits >> 2) & 1) << shift;
                bits >>= 3;
            }
            palette.add(new int[] {r, g, b});
        }
        return palette;
    }
}
