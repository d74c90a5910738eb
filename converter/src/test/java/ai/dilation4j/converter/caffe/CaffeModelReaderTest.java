package ai.dilation4j.converter.caffe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.HexFormat;
import java.util.List;
import java.security.MessageDigest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.converter.caffe.proto.Caffe.BlobProto;
import ai.dilation4j.converter.caffe.proto.Caffe.BlobShape;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.caffe.proto.Caffe.NetParameter;
import ai.dilation4j.converter.caffe.proto.Caffe.V1LayerParameter;

class CaffeModelReaderTest {

    @Test
    void readsCurrentLegacyAndDoubleBlobsAndDigestsTheFile(@TempDir Path dir) throws Exception {
        NetParameter net = NetParameter.newBuilder()
                .setName("n")
                .addLayer(LayerParameter.newBuilder().setName("a").setType("Convolution")
                        .addBlobs(BlobProto.newBuilder().setShape(BlobShape.newBuilder().addDim(2).addDim(1))
                                .addData(1.5f).addData(-2f))
                        .addBlobs(BlobProto.newBuilder().setShape(BlobShape.newBuilder().addDim(1))
                                .addDoubleData(0.25)))
                .addLayer(LayerParameter.newBuilder().setName("relu").setType("ReLU"))
                .addLayers(V1LayerParameter.newBuilder().setName("b").setType(V1LayerParameter.LayerType.CONVOLUTION)
                        .addBlobs(BlobProto.newBuilder().setNum(1).setChannels(1).setHeight(1).setWidth(3)
                                .addData(1).addData(2).addData(3)))
                .build();
        Path file = dir.resolve("m.caffemodel");
        Files.write(file, net.toByteArray());

        Map<String, List<CaffeBlob>> layers = new HashMap<>();
        CaffeModelReader.Summary summary = CaffeModelReader.read(file, layers::put);

        assertThat(layers).containsOnlyKeys("a", "b");
        List<CaffeBlob> blobs = new ArrayList<>(layers.get("a"));
        blobs.addAll(layers.get("b"));
        assertThat(blobs.get(0).matches(new long[] {2, 1})).isTrue();
        assertThat(blobs.get(0).values().toFloatVector()).containsExactly(1.5f, -2f);
        assertThat(blobs.get(1).values().toFloatVector()).containsExactly(0.25f);
        CaffeBlob legacyBias = blobs.get(2);
        assertThat(legacyBias.legacyShape()).isTrue();
        assertThat(legacyBias.matches(new long[] {3})).as("a V1 bias 1x1x1x3 matches shape [3]").isTrue();
        assertThat(legacyBias.matches(new long[] {1, 3})).isTrue();
        assertThat(legacyBias.matches(new long[] {3, 1})).isFalse();
        assertThat(summary.layers()).isEqualTo(3);
        assertThat(summary.bytes()).isEqualTo(Files.size(file));
        assertThat(summary.sha256()).isEqualTo(
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
    }
}
