package ai.dilation4j.converter.keras;

import org.deeplearning4j.nn.modelimport.keras.KerasLayer.DimOrder;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Reverse;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Convolution kernels as modelimport hands them over, turned into what the graph's convolutions take: Caffe's
 * {@code [out, in, kh, kw]} cross-correlation kernels.
 *
 * <p>How Keras stores a kernel: Keras 1 as {@code (kh, kw, in, out)} with {@code dim_ordering='tf'} and as
 * {@code (out, in, kh, kw)} with {@code 'th'}; Keras 2 always as {@code (kh, kw, in, out)}, whatever its
 * {@code data_format}. What a kernel means depends on the backend that trained it: TensorFlow (and CNTK) compute a
 * cross-correlation, as Caffe does, Theano a true convolution, so a Theano kernel is the correlation kernel rotated by
 * 180° (Keras itself flips kernels when it loads a file saved under the other backend).
 *
 * <p>What modelimport M2.1 does: for the TensorFlow ordering it permutes {@code (kh, kw, in, out)} to
 * {@code [out, in, kh, kw]}, right; for the Theano ordering it keeps the array's axes and reverses its last two. That
 * is right for Keras 1 {@code 'th'} kernels trained with Theano, and wrong in two cases this class repairs: Keras 1
 * {@code 'th'} kernels trained with TensorFlow (they must not be flipped), and every Keras 2 {@code channels_first}
 * kernel, whose axes it takes for {@code (out, in, kh, kw)} and whose {@code in} and {@code out} axes it reverses.
 *
 * @param kerasMajorVersion 1 or 2
 * @param theanoKernels     whether the kernels are Theano's true-convolution kernels: the file's backend is Theano,
 *                          or (files that do not record it, Keras 1) the ordering is {@code 'th'}, as modelimport
 *                          assumes
 */
record KerasKernels(int kerasMajorVersion, boolean theanoKernels) {

    /** The kernel as the graph's {@code W} parameter, {@code [out, in, kh, kw]}, a new array. */
    INDArray convolutionWeights(INDArray imported, DimOrder order) {
        INDArray weights;
        if (order == DimOrder.THEANO) {
            INDArray stored = reversed(imported); // undoes modelimport's reversal of the last two axes
            weights = kerasMajorVersion >= 2 ? stored.permute(3, 2, 0, 1).dup('c') : stored;
        } else {
            weights = imported.dup('c');
        }
        return theanoKernels ? reversed(weights) : weights;
    }

    /** The array with its last two axes (the kernel's rows and columns for {@code [out, in, kh, kw]}) reversed. */
    private static INDArray reversed(INDArray array) {
        INDArray source = array.dup('c');
        INDArray result = Nd4j.createUninitialized(source.dataType(), source.shape());
        Nd4j.exec(new Reverse(source, result, 2, 3));
        return result;
    }
}
