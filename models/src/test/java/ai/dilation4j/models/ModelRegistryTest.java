package ai.dilation4j.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import ai.dilation4j.converter.CaffeConverter;
import ai.dilation4j.converter.caffe.PrototxtReader;
import ai.dilation4j.runtime.DatasetSpec;

class ModelRegistryTest {

    /** fyu/dilation's reference files beside the checkout ({@code ../shared}), looked for from every parent. */
    private static final Path REFERENCE = java.util.stream.Stream.iterate(Path.of("").toAbsolutePath(),
                    p -> p != null, Path::getParent)
            .map(p -> p.resolveSibling("shared/reference/dilation")).filter(Files::isDirectory).findFirst()
            .orElse(Path.of("../shared/reference/dilation"));

    @TempDir
    Path dir;

    @Test
    void holdsTheFourDilatedNetModels() {
        assertThat(ModelRegistry.presets()).extracting(ModelPreset::name)
                .containsExactly("pascal_voc", "camvid", "kitti", "cityscapes");
        assertThat(ModelRegistry.presets()).extracting(ModelPreset::modelName).containsExactly(
                "dilation8_pascal_voc", "dilation8_camvid", "dilation7_kitti", "dilation10_cityscapes");
        assertThat(ModelRegistry.presets()).allSatisfy(p -> {
            assertThat(p.dataset().labelMargin()).isEqualTo(186);
            assertThat(p.dataset().palette()).hasSize(p.dataset().numClasses());
            assertThat(p.weightsUrl()).hasToString("http://dl.yf.io/dilation/models/" + p.modelName() + ".caffemodel");
            assertThat(p.weightsFile()).isEqualTo(p.modelName() + ".caffemodel");
        });
        assertThat(ModelRegistry.presets()).filteredOn(p -> p.knownWeightsSha256().isPresent())
                .extracting(ModelPreset::name, p -> p.knownWeightsSha256().get())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("cityscapes",
                        "ec6cec2bfa0f1b199f11e73f0e030ae29326bc5648f3ddf9127feb3367b68b92"));
    }

    @Test
    void datasetFieldsMatchFyuDilation() {
        DatasetSpec voc = ModelRegistry.find("pascal_voc").orElseThrow().dataset();
        assertThat(voc.numClasses()).isEqualTo(21);
        assertThat(voc.meanBgr()).containsExactly(102.93, 111.36, 116.52);
        assertThat(voc.zoom()).isEqualTo(8);
        assertThat(voc.palette().get(15)).containsExactly(192, 128, 128);
        assertThat(voc.classNames().get(15)).isEqualTo("person");
        DatasetSpec cityscapes = ModelRegistry.find("dilation10_cityscapes").orElseThrow().dataset();
        assertThat(cityscapes.numClasses()).isEqualTo(19);
        assertThat(cityscapes.zoom()).isEqualTo(1);
        assertThat(ModelRegistry.find("kitti").orElseThrow().inputWidth()).isEqualTo(1640);
        assertThat(ModelRegistry.find("imagenet")).isEmpty();
    }

    /** fyu/dilation's own dataset files (palette, mean, zoom), when ../shared holds them. */
    @Test
    void datasetFieldsEqualFyuDilationsDatasetFiles() throws IOException {
        Path datasets = REFERENCE.resolve("datasets");
        Assumptions.assumeTrue(Files.isDirectory(datasets), "needs ../shared/reference/dilation/datasets");
        for (ModelPreset preset : ModelRegistry.presets()) {
            Map<?, ?> reference = new ObjectMapper().readValue(datasets.resolve(preset.name() + ".json").toFile(),
                    Map.class);
            DatasetSpec dataset = preset.dataset();
            assertThat(dataset.palette().stream().map(rgb -> List.of(rgb[0], rgb[1], rgb[2])).toList())
                    .as(preset.name()).isEqualTo(reference.get("palette"));
            assertThat(dataset.meanBgr()).as(preset.name()).containsExactly(((List<?>) reference.get("mean")).stream()
                    .mapToDouble(v -> ((Number) v).doubleValue()).toArray());
            assertThat(dataset.zoom()).as(preset.name()).isEqualTo(reference.get("zoom"));
        }
    }

    /** The bundled prototxts are the pinned ones, parse, and declare the input size the presets state. */
    @Test
    void bundledPrototxtsArePinnedAndParse() throws Exception {
        for (ModelPreset preset : ModelRegistry.presets()) {
            Path prototxt = dir.resolve(preset.modelName() + "_deploy.prototxt");
            Files.write(prototxt, ModelZoo.pinnedPrototxt(preset));
            long[] shape = PrototxtReader.read(prototxt).inputs().get(0).shape();
            assertThat(shape).as(preset.name()).containsExactly(1, 3, preset.inputHeight(), preset.inputWidth());
            assertThat(new CaffeConverter().weightLayout(prototxt)).as(preset.name()).isNotEmpty();
        }
    }

    @Test
    void aPresetFileWithAMistakeIsRefusedNamingTheFile() throws IOException {
        Path json = dir.resolve("broken.json");
        String valid;
        try (var in = ModelRegistry.class.getResourceAsStream("presets/pascal_voc.json")) {
            valid = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Files.writeString(json, valid.replaceFirst("\\{", "{\"colour\": 1,"));
        assertThatThrownBy(() -> ModelRegistry.read(json.toUri().toURL())).isInstanceOf(IOException.class)
                .hasMessageContaining("broken.json").hasMessageContaining("colour");
    }
}
