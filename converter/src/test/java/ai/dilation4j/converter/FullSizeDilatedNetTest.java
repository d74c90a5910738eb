package ai.dilation4j.converter;

import static ai.dilation4j.testing.BlobAssert.assertProbabilitiesClose;
import static ai.dilation4j.testing.BlobAssert.maxAbsDifference;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.model.ModelFile;
import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.runtime.nn.conv.ConvolutionAlgorithm;
import ai.dilation4j.testing.OpenCvDnnOracle;
import ai.dilation4j.testing.SharedData;

/**
 * The full-size dilation8_pascal_voc (141 M parameters, 565 MB) with random weights: converts within the heap
 * given by the full-size profile (4 GB), survives a save/load round trip bit for bit, and the loaded model's prob
 * on one 900x900 tile matches OpenCV DNN with either convolution algorithm, with the same labels. Several minutes and ~6 GB of memory: run with {@code mvn -Pfull-size verify}.
 */
@Tag("full-size")
class FullSizeDilatedNetTest {

    /**
     * Winograd's rounding on this random network and random inputs: prob 1.3e-5 to 1.5e-5 from OpenCV DNN where
     * im2col + GEMM stays at 0.7e-5 (measured); the bound leaves room for other inputs and machines.
     */
    static final double WINOGRAD_PROBABILITY = 3e-5;

    @Test
    void convertsSavesAndMatchesOpenCv(@TempDir Path dir) throws Exception {
        Path prototxt = SharedData.require().resolve("reference/dilation/models/dilation8_pascal_voc_deploy.prototxt");
        Path weights = dir.resolve("dilation8_pascal_voc.caffemodel");
        assertThat(RandomCaffeModel.write(prototxt, weights, 1, RandomCaffeModel.Format.V2)).isEqualTo(141_149_720L);
        assertThat(Files.size(weights)).isGreaterThan(560_000_000L);

        Path saved = dir.resolve("model.zip");
        INDArray input = Nd4j.randn(DataType.FLOAT, 1, 3, 900, 900).muli(50);
        INDArray gemm;
        INDArray winograd;
        try (SegmentationModel model = new CaffeConverter().convert(prototxt, weights,
                ConversionOptions.defaults())) {
            assertThat(model.graph().numParams()).isEqualTo(141_149_720L);
            ModelFile.write(model.graph(), model.metadata(), saved);
            // The loaded model runs: parameters read in bulk, as users get them.
            try (SegmentationModel loaded = SegmentationModel.load(saved)) {
                assertThat(loaded.graph().params().equals(model.graph().params())).isTrue();
                assertThat(loaded.metadata()).isEqualTo(model.metadata());
                winograd = probabilities(loaded, input, ConvolutionAlgorithm.WINOGRAD);
                gemm = probabilities(loaded, input, ConvolutionAlgorithm.GEMM);
            }
        }
        assertThat(gemm.shape()).containsExactly(1, 21, 66, 66);
        try (OpenCvDnnOracle oracle = new OpenCvDnnOracle(prototxt, weights)) {
            INDArray reference = oracle.forward(input, "prob");
            assertProbabilitiesClose("prob (gemm)", gemm, reference);
            double winogradDifference = maxAbsDifference(winograd, reference);
            System.out.printf("full-size prob vs OpenCV DNN: gemm %.3g, winograd %.3g%n",
                    maxAbsDifference(gemm, reference), winogradDifference);
            assertThat(winogradDifference).as("winograd prob vs OpenCV DNN").isLessThanOrEqualTo(WINOGRAD_PROBABILITY);
        }
        assertLabelsDifferOnlyAtNearTies(winograd, gemm);
    }

    /** Like the fixtures' rule: a label may flip only where the two best classes lie within 1e-4. */
    private static void assertLabelsDifferOnlyAtNearTies(INDArray ours, INDArray reference) {
        INDArray ourLabels = Nd4j.argMax(ours, 1);
        INDArray referenceLabels = Nd4j.argMax(reference, 1);
        long classes = reference.size(1);
        int differing = 0;
        for (long y = 0; y < reference.size(2); y++) {
            for (long x = 0; x < reference.size(3); x++) {
                if (ourLabels.getLong(0, y, x) == referenceLabels.getLong(0, y, x)) {
                    continue;
                }
                differing++;
                double best = Double.NEGATIVE_INFINITY;
                double second = Double.NEGATIVE_INFINITY;
                for (long c = 0; c < classes; c++) {
                    double p = reference.getDouble(0, c, y, x);
                    if (p > best) {
                        second = best;
                        best = p;
                    } else if (p > second) {
                        second = p;
                    }
                }
                assertThat(best - second).as("top-2 margin where the label changed at (%d, %d)", y, x)
                        .isLessThan(1e-4);
            }
        }
        System.out.printf("labels: winograd differs from gemm on %d of %d pixels, all near-ties%n", differing,
                ourLabels.length());
    }

    private static INDArray probabilities(SegmentationModel model, INDArray input, ConvolutionAlgorithm algorithm)
            throws Exception {
        algorithm.applyTo(model.graph());
        return model.forwardBlobs(input, List.of("prob")).get("prob").dup();
    }
}
