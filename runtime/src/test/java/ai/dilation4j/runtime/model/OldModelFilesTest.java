package ai.dilation4j.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.nn.caffe.CaffeCropVertex;
import ai.dilation4j.runtime.nn.caffe.CaffePoolingVertex;
import ai.dilation4j.runtime.nn.conv.GemmConvolutionLayer;
import ai.dilation4j.runtime.testing.ModelZips;

/** Model files converted before our layers and vertices moved packages still load, and compute the same. */
class OldModelFilesTest {

    private static final String OLD_PACKAGE = "ai.dilation4j.runtime.graph.";

    @Test
    void aFileNamingTheOldPackageLoadsAndGivesTheSameOutput(@TempDir Path dir) throws Exception {
        ComputationGraph graph = TinyGraph.graph();
        Path current = TinyGraph.write(graph, dir.resolve("current.zip"));
        Path old = ModelZips.rewrite(current, dir.resolve("old.zip"), Map.of(ModelSerializer.CONFIGURATION_JSON,
                json -> json.replace(GemmConvolutionLayer.class.getName(), OLD_PACKAGE + "GemmConvolutionLayer")
                        .replace(CaffePoolingVertex.class.getName(), OLD_PACKAGE + "CaffePoolingVertex")));
        INDArray input = Nd4j.rand(DataType.FLOAT, 1, 3, 9, 11);

        ComputationGraph loaded = ModelFile.readGraph(old);

        assertThat(loaded.getConfiguration().toJson()).doesNotContain(OLD_PACKAGE)
                .contains(GemmConvolutionLayer.class.getName(), CaffePoolingVertex.class.getName());
        assertThat(loaded.outputSingle(input)).isEqualTo(graph.outputSingle(input));
        try (SegmentationModel model = SegmentationModel.load(old)) {
            assertThat(model.forward(input)).isEqualTo(graph.outputSingle(input));
        }
    }

    /** Only class values are renamed: a vertex or layer may be called anything, an old class name included. */
    @Test
    void onlyClassValuesAreRenamed() {
        String oldCrop = OLD_PACKAGE + "CaffeCropVertex";
        String json = "{\"vertices\" : {\"" + oldCrop + "\" : {\"@class\" : \"" + oldCrop + "\", \"axis\" : 2, "
                + "\"offsets\" : [ 1, 1 ]}}, \"vertexInputs\" : {\"" + oldCrop + "\" : [ \"" + oldCrop + "\" ]}}";

        String renamed = MovedClassNames.current(json);

        assertThat(renamed).isEqualTo(json.replace("\"@class\" : \"" + oldCrop + "\"",
                "\"@class\" : \"" + CaffeCropVertex.class.getName() + "\""));
        assertThat(MovedClassNames.current(renamed)).isEqualTo(renamed);
    }
}

