package ai.dilation4j.converter.mappers;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Grouped Caffe weights as the dense weights of an ungrouped DL4J layer. */
final class GroupedWeights {

    private GroupedWeights() {
    }

    /**
     * Caffe stores a grouped layer's weights as {@code [A, B/groups, kh, kw]}, axis 0 holding all groups one after
     * another (Convolution: A = outputs, B = inputs; Deconvolution: A = inputs, B = outputs). The dense
     * equivalent is {@code [A, B, kh, kw]} with group {@code i}'s block at rows block {@code i}, columns block
     * {@code i}, and zeros elsewhere, so no channel reads another group's channels.
     */
    static INDArray blockDiagonal(INDArray grouped, int groups, long fullAxis1) {
        long rowsPerGroup = grouped.size(0) / groups;
        long colsPerGroup = grouped.size(1);
        INDArray full = Nd4j.zeros(grouped.dataType(), grouped.size(0), fullAxis1, grouped.size(2), grouped.size(3));
        for (int i = 0; i < groups; i++) {
            INDArrayIndex rows = NDArrayIndex.interval(i * rowsPerGroup, (i + 1) * rowsPerGroup);
            INDArrayIndex cols = NDArrayIndex.interval(i * colsPerGroup, (i + 1) * colsPerGroup);
            full.get(rows, cols, NDArrayIndex.all(), NDArrayIndex.all())
                    .assign(grouped.get(rows, NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()));
        }
        return full;
    }
}
