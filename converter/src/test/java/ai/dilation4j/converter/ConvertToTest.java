package ai.dilation4j.converter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.api.ProgressListener;
import ai.dilation4j.runtime.io.Sha256;
import ai.dilation4j.runtime.model.SegmentationModel;

/** {@link CaffeConverter#convertTo}: one call converts and saves, atomically. */
class ConvertToTest {

    private static final String NET = """
            name: "tiny"
            input: "data"
            input_shape { dim: 1 dim: 3 dim: 6 dim: 6 }
            layer { name: "score" type: "Convolution" bottom: "data" top: "score"
                    convolution_param { num_output: 4 kernel_size: 3 } }
            layer { name: "prob" type: "Softmax" bottom: "score" top: "prob" }
            """;

    @TempDir
    Path dir;

    @Test
    void writesALoadableModelRecordingTheSourcesAndAnnouncesTheSave() throws Exception {
        Path prototxt = Files.writeString(dir.resolve("tiny.prototxt"), NET);
        Path weights = dir.resolve("tiny.caffemodel");
        RandomCaffeModel.write(prototxt, weights, 3, RandomCaffeModel.Format.V2);
        Path target = dir.resolve("tiny.zip");
        List<String> steps = new ArrayList<>();
        ProgressListener progress = new ProgressListener() {
            @Override
            public void progress(String step, long done, long total) {
            }

            @Override
            public void step(String text) {
                steps.add(text);
            }
        };
        SavedModel saved = new CaffeConverter().convertTo(prototxt, weights,
                ConversionOptions.builder().progress(progress).build(), target);
        assertThat(saved.file()).isEqualTo(target);
        assertThat(saved.parameters()).isEqualTo(4 * 3 * 3 * 3 + 4);
        assertThat(steps).containsExactly("Saving " + target);
        try (SegmentationModel loaded = SegmentationModel.load(target)) {
            assertThat(loaded.metadata().numClasses()).isEqualTo(4);
            assertThat(loaded.metadata().sources().get(0).sha256()).isEqualTo(Sha256.of(Files.readAllBytes(prototxt)));
            assertThat(loaded.metadata().sources().get(0).bytes()).isEqualTo(Files.size(prototxt));
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(file -> file.getFileName().toString())).as("no temporary file left")
                    .containsExactlyInAnyOrder("tiny.prototxt", "tiny.caffemodel", "tiny.zip");
        }
    }

    @Test
    void aFailedConversionLeavesAnExistingTargetAsItWas() throws Exception {
        Path prototxt = Files.writeString(dir.resolve("tiny.prototxt"), NET);
        Path target = Files.writeString(dir.resolve("tiny.zip"), "previous model");
        assertThatThrownBy(() -> new CaffeConverter().convertTo(prototxt, dir.resolve("missing.caffemodel"),
                ConversionOptions.builder().build(), target)).isInstanceOf(ConversionException.class);
        assertThat(target).hasContent("previous model");
        try (var files = Files.list(dir)) {
            assertThat(files.count()).isEqualTo(2);
        }
    }
}
