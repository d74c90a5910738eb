package ai.dilation4j.runtime.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {

    @Test
    void scoresFromKnownCounts() {
        ConfusionMatrix matrix = new ConfusionMatrix(3);
        // truth:     0 0 0 0 1 1 1 2 255 255
        // predicted: 0 0 1 2 1 1 0 2  1   0
        matrix.add(new int[] {0, 0, 0, 0, 1, 1, 1, 2, 255, 255}, new int[] {0, 0, 1, 2, 1, 1, 0, 2, 1, 0}, 255);
        assertThat(matrix.total()).isEqualTo(8);
        assertThat(matrix.count(0, 0)).isEqualTo(2);
        assertThat(matrix.count(0, 1)).isEqualTo(1);
        assertThat(matrix.count(0, 2)).isEqualTo(1);
        assertThat(matrix.count(1, 0)).isEqualTo(1);
        assertThat(matrix.count(1, 1)).isEqualTo(2);
        assertThat(matrix.count(2, 2)).isEqualTo(1);
        assertThat(matrix.iou(0)).isEqualTo(2.0 / 5);       // tp 2, truth 4, predicted 3
        assertThat(matrix.iou(1)).isEqualTo(2.0 / 4);       // tp 2, truth 3, predicted 3
        assertThat(matrix.iou(2)).isEqualTo(1.0 / 2);       // tp 1, truth 1, predicted 2
        assertThat(matrix.meanIou()).isCloseTo((0.4 + 0.5 + 0.5) / 3, within(1e-12));
        assertThat(matrix.pixelAccuracy()).isEqualTo(5.0 / 8);
        assertThat(matrix.meanClassAccuracy()).isCloseTo((0.5 + 2.0 / 3 + 1.0) / 3, within(1e-12));
    }

    @Test
    void absentClassesDoNotCountInTheMeans() {
        ConfusionMatrix matrix = new ConfusionMatrix(4);
        matrix.add(new int[] {0, 1}, new int[] {0, 1}, -1);
        assertThat(matrix.iou(3)).isNaN();
        assertThat(matrix.meanIou()).isEqualTo(1.0);
        assertThat(matrix.meanClassAccuracy()).isEqualTo(1.0);
    }

    @Test
    void labelsOutsideTheClassesAreRejected() {
        ConfusionMatrix matrix = new ConfusionMatrix(2);
        assertThatThrownBy(() -> matrix.add(new int[] {7}, new int[] {0}, 255))
                .hasMessageContaining("label value 7").hasMessageContaining("ignore value 255");
    }

    @Test
    void aRejectedImageCountsNothing() {
        ConfusionMatrix matrix = new ConfusionMatrix(2);
        assertThatThrownBy(() -> matrix.add(new int[] {0, 1, 7}, new int[] {0, 1, 0}, 255))
                .hasMessageContaining("label value 7");
        assertThat(matrix.total()).isZero();
    }

    @Test
    void matricesOfPartsAddUpToTheMatrixOfTheWhole() {
        int[] truth = {0, 1, 2, 2, 255, 1};
        int[] predicted = {0, 2, 2, 1, 0, 1};
        ConfusionMatrix whole = new ConfusionMatrix(3);
        whole.add(truth, predicted, 255);
        ConfusionMatrix first = new ConfusionMatrix(3);
        first.add(java.util.Arrays.copyOf(truth, 2), java.util.Arrays.copyOf(predicted, 2), 255);
        ConfusionMatrix second = new ConfusionMatrix(3);
        second.add(java.util.Arrays.copyOfRange(truth, 2, 6), java.util.Arrays.copyOfRange(predicted, 2, 6), 255);

        first.add(second);

        for (int t = 0; t < 3; t++) {
            for (int p = 0; p < 3; p++) {
                org.assertj.core.api.Assertions.assertThat(first.count(t, p)).as("%d,%d", t, p)
                        .isEqualTo(whole.count(t, p));
            }
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> first.add(new ConfusionMatrix(4)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
