package ai.dilation4j.converter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.caffe.proto.Caffe.BlobShape;
import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.testing.SmallNetworks;

/**
 * Prototxts that Caffe refuses or that would need more memory than any machine has: each is refused with a
 * one-line message naming the layer, blob and value, before the graph allocates its parameters. The weights
 * are random ones for the valid network, so only the prototxt is hostile.
 */
class HostileNetworksTest {

    private static final String NET = SmallNetworks.CONV_RELU_SCORE;

    @TempDir
    Path dir;
    Path weights;

    @BeforeEach
    void writeWeightsOfTheValidNetwork() throws Exception {
        weights = dir.resolve("small.caffemodel");
        RandomCaffeModel.write(prototxt("valid", NET), weights, 1, RandomCaffeModel.Format.V2);
        try (SegmentationModel model = convert(prototxt("valid", NET))) {
            assertThat(model.metadata().blobVertices()).as("in-place ReLU is fine").containsKeys("conv1", "prob");
        }
    }

    @Test
    void secondProducerOfATopIsRefusedNamingBothLayersAndTheBlob() throws IOException {
        Path twice = prototxt("twice", NET.replace("layer { name: \"relu1\"", """
                layer { name: "conv1b" type: "Convolution" bottom: "data" top: "conv1"
                        convolution_param { num_output: 4 kernel_size: 3 } }
                layer { name: "relu1\""""));
        assertRefused(twice, "'conv1b' (Convolution)", "top 'conv1'", "layer 'conv1' (Convolution)",
                "produced by multiple sources");

        Path overInput = prototxt("over_input", NET.replace("bottom: \"conv1\" top: \"score\"",
                "bottom: \"conv1\" top: \"data\"").replace("bottom: \"score\" top: \"prob\"",
                "bottom: \"data\" top: \"prob\""));
        assertRefused(overInput, "'score' (Convolution)", "top 'data'", "the network input");
    }

    @Test
    void hugeNumOutputIsRefusedNamingLayerAndValue() throws IOException {
        Path huge = prototxt("huge", NET.replace("num_output: 4", "num_output: 2147483647"));
        assertRefused(huge, "'conv1' (Convolution)", "num_output 2147483647", "2147483647 x 3 x 3 x 3");
        // uint32 fields of caffe.proto beyond Java's int range
        Path unsigned = prototxt("unsigned", NET.replace("num_output: 4", "num_output: 3000000000"));
        assertRefused(unsigned, "'conv1' (Convolution) has num_output 3000000000", "1 to 2147483647");
        Path farCrop = prototxt("far_crop", NET.replace("layer { name: \"prob\"", """
                layer { name: "crop" type: "Crop" bottom: "score" bottom: "score" top: "cropped"
                        crop_param { axis: 2 offset: 4294967295 } }
                layer { name: "prob\"""").replace("bottom: \"score\" top: \"prob\"",
                "bottom: \"cropped\" top: \"prob\""));
        assertRefused(farCrop, "'crop' (Crop)", "offset 4294967295");
    }

    @Test
    void parametersThatFitOneArrayButNotTheWeightsFileAreRefusedBeforeAllocating() throws IOException {
        // conv1 and score hold 2.1e9 parameters (8.4 GB), within one array; the caffemodel has 4 outputs for conv1,
        // which must be found before the graph allocates them.
        String wide = NET.replace("dim: 9 dim: 11", "dim: 1 dim: 1").replace("num_output: 5", "num_output: 2");
        Path big = prototxt("big", wide.replace("num_output: 4 kernel_size: 3",
                "num_output: 350000000 kernel_size: 1"));
        assertRefused(big, "'conv1' (Convolution)", "[4, 3, 3, 3]", "[350000000, 3, 1, 1]");

        Path tooMany = prototxt("too_many", wide.replace("num_output: 4 kernel_size: 3",
                "num_output: 700000000 kernel_size: 1"));
        assertRefused(tooMany, "too_many.prototxt", "4200000002 parameters", "'conv1', has 2800000000");
    }

    @Test
    void inputWhoseBlobsNoArrayCanHoldIsRefusedNamingTheShape() throws IOException {
        Path wide = prototxt("wide", NET.replace("dim: 9 dim: 11", "dim: 100000 dim: 100000"));
        assertRefused(wide, "Blob 'data'", "[1, 3, 100000, 100000]", "1 x 3 x 100000 x 100000 = 30000000000",
                "deploy input size");

        Path intermediate = prototxt("intermediate", NET.replace("dim: 9 dim: 11", "dim: 20000 dim: 20000")
                .replace("num_output: 4", "num_output: 8"));
        assertRefused(intermediate, "Blob 'conv1'", "1 x 8 x 19998 x 19998", "[1, 3, 20000, 20000]");
    }

    @Test
    void weightsClaimingMoreDataThanTheFileHoldsAreRefusedWithoutAllocatingIt() throws IOException {
        // conv1's weights with the right shape, whose packed data claims 1 GB in a file of a few dozen bytes
        int claimed = 1 << 30;
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(blob);
        out.writeMessage(7, BlobShape.newBuilder().addDim(4).addDim(3).addDim(3).addDim(3).build());
        out.writeTag(5, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(claimed);
        out.flush();
        ByteArrayOutputStream layer = new ByteArrayOutputStream();
        out = CodedOutputStream.newInstance(layer);
        out.writeString(1, "conv1");
        out.writeTag(7, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(claimed + blob.size());
        out.writeRawBytes(blob.toByteArray());
        out.flush();
        ByteArrayOutputStream net = new ByteArrayOutputStream();
        out = CodedOutputStream.newInstance(net);
        out.writeTag(100, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(claimed + layer.size());
        out.writeRawBytes(layer.toByteArray());
        out.flush();
        weights = Files.write(dir.resolve("claims.caffemodel"), net.toByteArray());

        assertRefused(prototxt("valid", NET), "claims.caffemodel", "a layer record claims 1073741", "whole file has");
    }

    private void assertRefused(Path prototxt, String... messageParts) {
        assertThatThrownBy(() -> convert(prototxt).close())
                .isInstanceOf(ConversionException.class)
                .hasMessageContainingAll(messageParts)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private SegmentationModel convert(Path prototxt) throws ConversionException {
        return new CaffeConverter().convert(prototxt, weights, ConversionOptions.defaults());
    }

    private Path prototxt(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name + ".prototxt"), text);
    }
}
