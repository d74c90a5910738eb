package ai.dilation4j.cli;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measured single-precision GEMM speed of this process, the yardstick for a forward pass's GFLOP/s: nd4j's
 * {@code Nd4j.gemm} (what dilation4j's convolutions call; oneDNN in the shipped build) and OpenBLAS's
 * {@code cblas_sgemm} (what DL4J's own layers and Caffe call). Best of several square products after a warm-up.
 */
record SgemmPeak(double nd4jGflops, double openBlasGflops) {

    static SgemmPeak measure() {
        // OpenBLAS works on host memory: measured with the CPU backend only (0 on a GPU).
        return new SgemmPeak(nd4j(4096, 3), Nd4j.getEnvironment().isCPU() ? openBlas(2048, 2) : 0);
    }

    /**
     * Engine by engine, the faster of two measurements: the machine's speed drifts (the same product measured 149
     * to 318 GFLOP/s here), so a peak taken once can land in a slow moment and flatter the fraction of it.
     */
    SgemmPeak best(SgemmPeak other) {
        return new SgemmPeak(Math.max(nd4jGflops, other.nd4jGflops), Math.max(openBlasGflops, other.openBlasGflops));
    }

    /** The larger of the two: the fraction of peak is reported against the fastest GEMM available here. */
    double peakGflops() {
        return Math.max(nd4jGflops, openBlasGflops);
    }

    private static double nd4j(int n, int repeats) {
        try (INDArray a = Nd4j.rand(DataType.FLOAT, n, n); INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
             INDArray c = Nd4j.create(DataType.FLOAT, n, n)) {
            return best(n, repeats, () -> Nd4j.gemm(a, b, c, false, false, 1.0, 0.0));
        }
    }

    private static double openBlas(int n, int repeats) {
        try (INDArray a = Nd4j.rand(DataType.FLOAT, n, n); INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
             INDArray c = Nd4j.create(DataType.FLOAT, n, n)) {
            FloatPointer pa = new FloatPointer(a.data().addressPointer());
            FloatPointer pb = new FloatPointer(b.data().addressPointer());
            FloatPointer pc = new FloatPointer(c.data().addressPointer());
            return best(n, repeats, () -> cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1f, pa, n,
                    pb, n, 0f, pc, n));
        }
    }

    private static double best(int n, int repeats, Runnable product) {
        product.run();
        double fastest = Double.MAX_VALUE;
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime();
            product.run();
            Nd4j.getExecutioner().commit();
            fastest = Math.min(fastest, (System.nanoTime() - start) / 1e9);
        }
        return 2.0 * n * n * n / fastest / 1e9;
    }
}
