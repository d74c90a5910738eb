package ai.dilation4j.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.ModelFileException;
import ai.dilation4j.runtime.testing.ModelZips;

/**
 * Model files that are damaged, edited or built to exhaust memory: each is refused at load with a one-line
 * {@link ModelFileException} naming the file (and the layer or entry), before anything large is allocated.
 * Each test edits the entries of a small valid model written by {@link ModelFile#write}.
 */
class HostileModelFilesTest {

    private static final int MB = 1 << 20;

    @TempDir
    Path dir;
    Path valid;

    @BeforeEach
    void writeValidModel() throws Exception {
        valid = dir.resolve("valid.zip");
        TinyGraph.write(TinyGraph.graph(), valid);
        try (SegmentationModel model = SegmentationModel.load(valid)) {
            assertThat(model.forward(Nd4j.rand(DataType.FLOAT, 1, 3, 9, 11)).shape()).containsExactly(1, 5, 4, 5);
        }
    }

    @Test
    void invalidLayerGeometryIsRefusedAtLoadNamingTheLayer() throws Exception {
        ComputationGraph zeroStride = TinyGraph.graph();
        convolution(zeroStride, "conv1").setStride(new int[] {0, 1});
        assertRefused(TinyGraph.write(zeroStride, dir.resolve("stride0.zip")), "stride0.zip", "layer 'conv1'",
                "stride [0, 1]", "must be >= 1");

        ComputationGraph negativePadding = TinyGraph.graph();
        convolution(negativePadding, "score").setPadding(new int[] {-1, 0});
        assertRefused(TinyGraph.write(negativePadding, dir.resolve("pad.zip")), "layer 'score'",
                "padding [-1, 0]");

        ComputationGraph noOutputs = TinyGraph.graph();
        convolution(noOutputs, "conv1").setNOut(0);
        assertRefused(TinyGraph.write(noOutputs, dir.resolve("nout0.zip")), "layer 'conv1'", "nOut 0");

        // our own vertices validate in their constructors, which Jackson calls while parsing
        Path pooling = rewrite(valid, "pool.zip", Map.of(ModelSerializer.CONFIGURATION_JSON,
                json -> replaceOnce(json, "\"strideH\" : 2", "\"strideH\" : 0")));
        assertRefused(pooling, "pool.zip", "configuration.json at vertex 'pool1'", "stride >= 1");
    }

    @Test
    void configurationThatDoesNotFitTheMetadataIsRefused() throws Exception {
        ComputationGraph wrongChannels = TinyGraph.graph();
        convolution(wrongChannels, "score").setNIn(7);
        assertRefused(TinyGraph.write(wrongChannels, dir.resolve("nin.zip")), "layer 'score'",
                "takes 7 input channels", "'pool1' gives it 4");

        Path classes = rewrite(valid, "classes.zip", Map.of(ModelFile.METADATA_ENTRY,
                json -> replaceOnce(json, "\"numClasses\" : 5", "\"numClasses\" : 6")));
        assertRefused(classes, "classes.zip", "'prob' has 5 channels", "6 classes");

        Path shape = rewrite(valid, "shape.zip", Map.of(ModelFile.METADATA_ENTRY,
                json -> json.replaceFirst("\"inputShape\" : \\[ 1, 3,", "\"inputShape\" : [ 0, 3,")));
        assertRefused(shape, "shape.zip", "input shape [0, 3, 9, 11]");
    }

    @Test
    void entriesThatInflateBeyondTheirBoundAreRefusedWhileReading() throws Exception {
        // ~100 KB deflated, 80 MB inflated: padding JSON may legally hold
        Path configuration = rewrite(valid, "config_bomb.zip", Map.of(ModelSerializer.CONFIGURATION_JSON,
                json -> " ".repeat(80 * MB) + json));
        assertRefused(configuration, "config_bomb.zip", "configuration.json entry inflates to more than 64 MB");

        Path metadata = rewrite(valid, "metadata_bomb.zip", Map.of(ModelFile.METADATA_ENTRY,
                json -> " ".repeat(20 * MB) + json));
        assertThat(Files.size(metadata)).isLessThan(MB);
        assertThatThrownBy(() -> ModelFile.readMetadata(metadata)).isInstanceOf(ModelFileException.class)
                .hasMessageContainingAll("metadata_bomb.zip", "dilation4j/metadata.json entry inflates to more "
                        + "than 16 MB");
    }

    @Test
    void parametersThatDoNotMatchTheConfigurationAreRefusedBeforeAllocating() throws Exception {
        // a configuration implying 1.5e9 parameters (6 GB), whose coefficients.bin claims exactly that many
        ComputationGraph huge = TinyGraph.graph();
        convolution(huge, "conv1").setNOut(45_000_000);
        convolution(huge, "score").setNIn(45_000_000);
        long parameters = 45_000_000L * 3 * 3 * 3 + 45_000_000L + 45_000_000L * 5 + 5;
        Path claims = rewriteBytes(TinyGraph.write(huge, dir.resolve("huge.zip")), "claims.zip",
                Map.of(ModelSerializer.COEFFICIENTS_BIN, bytes -> headerOnly(parameters)), true);
        assertThatThrownBy(() -> ModelFile.readGraph(claims)).isInstanceOf(ModelFileException.class)
                .hasMessageContainingAll("claims.zip", "declares " + parameters + " FLOAT parameters");

        Path other = rewriteBytes(valid, "other.zip", Map.of(ModelSerializer.COEFFICIENTS_BIN,
                bytes -> headerOnly(parameters)), true);
        assertRefused(other, "other.zip", "coefficients.bin holds " + parameters + " parameters",
                "the configuration has " + TinyGraph.graph().numParams());

        ComputationGraph tooMany = TinyGraph.graph();
        convolution(tooMany, "conv1").setNOut(1_000_000_000L);
        assertRefused(TinyGraph.write(tooMany, dir.resolve("too_many.zip")), "layer 'conv1'",
                "3 x 1000000000 x 3 x 3 = 27000000000 values, more than the 2147483647");
    }

    @Test
    void deflatedAndDoubleParametersStillLoad() throws Exception {
        ComputationGraph original = ModelFile.readGraph(valid);
        Path deflated = rewriteBytes(valid, "deflated.zip", Map.of(), false);
        assertThat(ModelFile.readGraph(deflated).params()).isEqualTo(original.params());

        Path doubles = rewriteBytes(valid, "double.zip", Map.of(ModelSerializer.COEFFICIENTS_BIN, bytes -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (DataOutputStream data = new DataOutputStream(out)) {
                Nd4j.write(original.params().castTo(DataType.DOUBLE), data);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return out.toByteArray();
        }), true);
        INDArray read = ModelFile.readGraph(doubles).params();
        assertThat(read.dataType()).isEqualTo(DataType.DOUBLE);
        assertThat(read.castTo(DataType.FLOAT)).isEqualTo(original.params());
    }

    private static ConvolutionLayer convolution(ComputationGraph graph, String vertex) {
        return (ConvolutionLayer) ((LayerVertex) graph.getConfiguration().getVertices().get(vertex)).getLayerConf()
                .getLayer();
    }

    /** The header coefficients.bin would have for {@code count} float parameters, without any of them. */
    private static byte[] headerOnly(long count) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF("MIXED_DATA");
            out.writeLong(8);
            out.writeUTF("LONG");
            for (long value : new long[] {2, 1, count, count, 1, 0, 1, 99}) {
                out.writeLong(value);
            }
            out.writeUTF("MIXED_DATA");
            out.writeLong(count);
            out.writeUTF("FLOAT");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return bytes.toByteArray();
    }

    private Path rewrite(Path source, String name, Map<String, UnaryOperator<String>> edits) throws IOException {
        return ModelZips.rewrite(source, dir.resolve(name), edits);
    }

    private Path rewriteBytes(Path source, String name, Map<String, UnaryOperator<byte[]>> edits, boolean keepStored)
            throws IOException {
        return ModelZips.rewriteBytes(source, dir.resolve(name), edits, keepStored);
    }

    private static String replaceOnce(String text, String target, String replacement) {
        assertThat(text).as("the entry to edit").contains(target);
        return text.replaceFirst(java.util.regex.Pattern.quote(target), replacement);
    }

    /** Refused at load, and by {@link ModelFile#verify} (which reads no weights) with the same message. */
    private static void assertRefused(Path model, String... messageParts) {
        Throwable refusal = catchThrowable(() -> SegmentationModel.load(model).close());
        assertThat(refusal).isInstanceOf(ModelFileException.class)
                .hasMessageContainingAll(messageParts)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> ModelFile.verify(model)).isInstanceOf(ModelFileException.class)
                .hasMessage(refusal.getMessage());
    }
}
