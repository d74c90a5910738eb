package ai.dilation4j.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The comparison rules of the fixtures: relative to each blob's largest magnitude, absolute for probabilities. */
public final class BlobAssert {

    /** {@code max|ours - ref| <= RELATIVE * max|ref| + ABSOLUTE_FLOOR}. */
    public static final double RELATIVE = 1e-4;
    public static final double ABSOLUTE_FLOOR = 1e-6;
    /** Probabilities (softmax outputs) are compared in absolute terms. */
    public static final double PROBABILITY = 1e-5;

    private BlobAssert() {
    }

    /** Returns {@code max|ours - ref|}. */
    public static double maxAbsDifference(INDArray ours, INDArray reference) {
        assertArrayEquals(reference.shape(), ours.shape(), "shape");
        INDArray a = ours.castTo(DataType.DOUBLE);
        INDArray b = reference.castTo(DataType.DOUBLE);
        return Transforms.abs(a.sub(b)).maxNumber().doubleValue();
    }

    public static void assertBlobClose(String name, INDArray ours, INDArray reference) {
        double difference = maxAbsDifference(ours, reference);
        double scale = Transforms.abs(reference.castTo(DataType.DOUBLE)).maxNumber().doubleValue();
        double allowed = RELATIVE * scale + ABSOLUTE_FLOOR;
        assertTrue(difference <= allowed, () -> "blob " + name + " " + Arrays.toString(ours.shape())
                + ": max |ours - ref| = " + difference + " > " + allowed + " (max |ref| = " + scale + ")");
    }

    public static void assertProbabilitiesClose(String name, INDArray ours, INDArray reference) {
        double difference = maxAbsDifference(ours, reference);
        assertTrue(difference <= PROBABILITY, () -> "probabilities " + name + ": max |ours - ref| = " + difference
                + " > " + PROBABILITY);
    }
}
