package ai.dilation4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

import ai.dilation4j.runtime.evaluate.ConfusionMatrix;

/**
 * What one task of the evaluate job counted: the confusion matrix of its images, how many it scored, and why it
 * skipped the others. Partitions' scores add up to the data set's.
 */
record PartitionScore(ConfusionMatrix matrix, long scored, List<String> skipped) implements Serializable {

    /** The sum of two partitions' scores (the matrices added, the skipped images listed in order). */
    static PartitionScore sum(PartitionScore a, PartitionScore b) {
        ConfusionMatrix matrix = new ConfusionMatrix(a.matrix.classes());
        matrix.add(a.matrix);
        matrix.add(b.matrix);
        List<String> skipped = new ArrayList<>(a.skipped);
        skipped.addAll(b.skipped);
        return new PartitionScore(matrix, a.scored + b.scored, skipped);
    }
}
