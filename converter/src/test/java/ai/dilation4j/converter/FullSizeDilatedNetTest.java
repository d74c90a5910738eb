package ai.dilation4j.converter;

import static ai.dilation4j.testing.BlobAssert.assertProbabilitiesClose;
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

import ai.dilation4j.models.ModelRegistry;
import ai.dilation4j.runtime.ModelFile;
import ai.dilation4j.runtime.SegmentationModel;
import ai.dilation4j.testing.OpenCvDnnOracle;
import ai.dilation4j.testing.SharedData;

/**
 * The full-size dilation8_pascal_voc (141 M parameters, 565 MB) with random weights: converts within the heap
 * given by the full-size profile (4 GB), survives a save/load round trip bit for bit, and its prob on one
 * 900x900 tile matches OpenCV DNN. Several minutes and ~6 GB of memory: run with {@code mvn -Pfull-size verify}.
 */
@Tag("full-size")
class FullSizeDilatedNetTest {

    @Test
    void convertsSavesAndMatchesOpenCv(@TempDir Path dir) throws Exception {
        Path prototxt = SharedData.require().resolve("reference/dilation/models/dilation8_pascal_voc_deploy.prototxt");
        Path weights = dir.resolve("dilation8_pascal_voc.caffemodel");
        assertThat(RandomCaffeModel.write(prototxt, weights, 1, RandomCaffeModel.Format.V2)).isEqualTo(141_149_720L);
        assertThat(Files.size(weights)).isGreaterThan(560_000_000L);

        Path saved = dir.resolve("model.zip");
        INDArray input = Nd4j.randn(DataType.FLOAT, 1, 3, 900, 900).muli(50);
        INDArray prob;
        try (SegmentationModel model = new CaffeConverter().convert(prototxt, weights, ConversionOptions.builder()
                .preset(ModelRegistry.find("pascal_voc").orElseThrow()).build())) {
            assertThat(model.graph().numParams()).isEqualTo(141_149_720L);
            ModelFile.write(model.graph(), model.metadata(), saved);
            try (SegmentationModel loaded = SegmentationModel.load(saved)) {
                assertThat(loaded.graph().params().equals(model.graph().params())).isTrue();
                assertThat(loaded.metadata()).isEqualTo(model.metadata());
            }
            prob = model.forwardBlobs(input, List.of("prob")).get("prob");
        }
        assertThat(prob.shape()).containsExactly(1, 21, 66, 66);
        try (OpenCvDnnOracle oracle = new OpenCvDnnOracle(prototxt, weights)) {
            assertProbabilitiesClose("prob", prob, oracle.forward(input, "prob"));
        }
    }
}
