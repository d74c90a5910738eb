package ai.dilation4j.runtime.model;

import java.util.Arrays;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.longer.MatchCondition;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

import ai.dilation4j.runtime.InvalidInputException;

/**
 * Refuses arrays holding NaN or infinite values: a network runs on them without complaint and every output
 * pixel they reach becomes NaN, which only shows much later as an empty or uniform segmentation. One pass over
 * the input costs far less than a forward pass.
 */
public final class FiniteValues {

    private FiniteValues() {
    }

    /**
     * Throws, naming {@code what}, the number of non-finite values and the index of the first, unless every value
     * of a floating-point array is finite.
     */
    public static void requireFinite(INDArray array, String what) throws InvalidInputException {
        if (!array.dataType().isFPType() || array.isEmpty()) {
            return;
        }
        long count = Nd4j.getExecutioner().exec(new MatchCondition(array, Conditions.notFinite())).getLong(0);
        if (count == 0) {
            return;
        }
        INDArray ordered = array.ordering() == 'c' ? array : array.dup('c');
        long first = BooleanIndexing.firstIndex(ordered, Conditions.notFinite()).getLong(0);
        long[] index = Shape.ind2subC(ordered.shape(), first);
        double value = ordered.getDouble(index);
        throw new InvalidInputException(what + " holds " + count + " NaN or infinite value(s) of "
                + array.length() + "; the first is " + value + " at index " + Arrays.toString(index)
                + ". Fix the values (e.g. np.nan_to_num) before running the network.");
    }
}
