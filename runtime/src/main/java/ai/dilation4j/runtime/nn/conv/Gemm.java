package ai.dilation4j.runtime.nn.conv;

import org.bytedeco.dnnl.global.dnnl;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.device.NativeThreads;
import ai.dilation4j.runtime.io.RowMajor;
import ai.dilation4j.runtime.nn.onednn.OneDnn;

/**
 * {@code C = op(A) op(B)} for the convolution kernels: {@code Nd4j.gemm}, or oneDNN's {@code sgemm} while a
 * {@link NativeThreads} limit applies. {@code Nd4j.gemm} runs libnd4j's matmul op: in its {@code -onednn} builds on
 * the oneDNN inside libnd4j (on the caller's OpenMP team, as the limit wants), in the others on OpenBLAS, whose
 * pthreads build has one thread count and one pool for the whole process and so cannot keep one forward pass to its
 * share of the cores. oneDNN's {@code sgemm} runs on the caller's OpenMP team in every build. (On DilatedNet-8 both
 * gave identical probabilities: the same JIT GEMM.)
 */
final class Gemm {

    private Gemm() {
    }

    /** {@code result = op(left) op(right)}, overwriting {@code result}; all float matrices. */
    static void multiply(INDArray left, INDArray right, INDArray result, boolean transposeLeft,
                         boolean transposeRight) {
        if (NativeThreads.current().isPresent() && OneDnn.available()
                && contiguous(left) && contiguous(right) && contiguous(result)) {
            long m = result.size(0);
            long n = result.size(1);
            long k = transposeLeft ? left.size(0) : left.size(1);
            OneDnn.useAllowedThreadCount();
            int status = dnnl.dnnl_sgemm((byte) (transposeLeft ? 'T' : 'N'), (byte) (transposeRight ? 'T' : 'N'),
                    m, n, k, 1f, RowMajor.floats(left), left.size(1), RowMajor.floats(right), right.size(1), 0f,
                    RowMajor.floats(result), n);
            if (status != dnnl.dnnl_success) {
                throw new IllegalStateException("oneDNN sgemm failed with status " + status + " for " + m + "x" + k
                        + " by " + k + "x" + n);
            }
        } else {
            Nd4j.gemm(left, right, result, transposeLeft, transposeRight, 1.0, 0.0);
        }
    }

    private static boolean contiguous(INDArray matrix) {
        return matrix.rank() == 2 && matrix.dataType() == DataType.FLOAT && RowMajor.isRowMajor(matrix);
    }
}
