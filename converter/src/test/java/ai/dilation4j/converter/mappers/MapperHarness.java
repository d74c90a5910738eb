package ai.dilation4j.converter.mappers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.caffe.CaffeNetDefinition;
import ai.dilation4j.converter.caffe.PrototxtReader;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.graph.FeatureShape;
import ai.dilation4j.converter.graph.GraphBuildContext;
import ai.dilation4j.converter.graph.WeightBinding;

/**
 * Maps a tiny prototxt with the mappers alone (no caffemodel, no {@code CaffeConverter}), so a mapper test sees
 * exactly the vertices, shapes and weight bindings its mapper declares, and can run them on a tiny input.
 */
final class MapperHarness {

    private static final LayerMappingTable MAPPERS = LayerMappingTable.standard();

    /** The mapped network. */
    record Mapped(ComputationGraphConfiguration configuration, GraphBuildContext context) {

        Layer layer(String vertex) {
            GraphVertex v = configuration.getVertices().get(vertex);
            assertThat(v).as("vertex " + vertex).isInstanceOf(LayerVertex.class);
            return ((LayerVertex) v).getLayerConf().getLayer();
        }

        GraphVertex vertex(String name) {
            GraphVertex v = configuration.getVertices().get(name);
            assertThat(v).as("vertex " + name + " in " + configuration.getVertices().keySet()).isNotNull();
            return v;
        }

        /** The graph with the given Caffe blobs (C order, Caffe shapes) bound through the mappers' bindings. */
        ComputationGraph graph(Map<String, List<INDArray>> caffeBlobs) {
            ComputationGraph graph = new ComputationGraph(configuration);
            graph.init();
            for (WeightBinding binding : context.weightBindings().values()) {
                List<INDArray> blobs = new ArrayList<>();
                for (int i = 0; i < binding.expectedShapes().size(); i++) {
                    blobs.add(caffeBlobs.get(binding.layerName()).get(i).reshape('c',
                            binding.expectedShapes().get(i)));
                }
                binding.binder().bind(graph, blobs);
            }
            return graph;
        }

        /** The value of a Caffe blob after a forward pass. */
        INDArray forward(ComputationGraph graph, String blob, INDArray... inputs) {
            String vertex = context.blobVertices().get(blob);
            return graph.feedForward(Arrays.stream(inputs).map(INDArray::dup).toArray(INDArray[]::new), false)
                    .get(vertex);
        }
    }

    private MapperHarness() {
    }

    /** Maps a prototxt (inputs and layers in protobuf text format). */
    static Mapped map(String prototxt) throws ConversionException {
        CaffeNetDefinition net = read(prototxt);
        GraphBuilder builder = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .weightInit(WeightInit.ZERO).graphBuilder();
        // tests with several inputs leave some unread (e.g. the mismatched one used only by the error cases)
        builder.allowDisconnected(true);
        GraphBuildContext context = new GraphBuildContext(builder, net.inputs().get(0).shape()[0]);
        List<InputType> inputTypes = new ArrayList<>();
        for (CaffeNetDefinition.NetworkInput input : net.inputs()) {
            long[] s = input.shape();
            context.addInput(input.blob(), new FeatureShape(s[1], s[2], s[3]));
            inputTypes.add(InputType.convolutional(s[2], s[3], s[1]));
        }
        for (LayerParameter layer : net.layers()) {
            context.claimTops(layer);
            MAPPERS.mapperFor(layer).map(layer, context);
        }
        builder.setOutputs(context.outputVertices().toArray(String[]::new));
        builder.setInputTypes(inputTypes.toArray(InputType[]::new));
        return new Mapped(builder.build(), context);
    }

    /** Asserts that mapping the prototxt fails with a message containing every fragment. */
    static void assertRefused(String prototxt, String... fragments) {
        assertThatThrownBy(() -> map(prototxt)).isInstanceOf(ConversionException.class)
                .hasMessageContainingAll(fragments)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    /** Same shape, and values equal within {@code tolerance}. */
    static void assertClose(INDArray actual, INDArray expected, double tolerance) {
        assertThat(actual.shape()).containsExactly(expected.shape());
        assertThat(actual.sub(expected).amaxNumber().doubleValue()).isLessThan(tolerance);
    }

    static INDArray random(long seed, long... shape) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[(int) Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return Nd4j.create(values, shape, 'c');
    }

    private static CaffeNetDefinition read(String prototxt) throws ConversionException {
        try {
            Path file = Files.createTempFile("mapper", ".prototxt");
            try {
                Files.writeString(file, prototxt);
                return PrototxtReader.read(file);
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
