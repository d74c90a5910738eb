package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.runtime.model.Segmenter;
import ai.dilation4j.runtime.model.SegmenterOptions;
import ai.dilation4j.runtime.segment.SegmentationResult;
import ai.dilation4j.testing.SharedData;

/**
 * 8 threads segmenting the fixtures' images (one 900x900 tile each) through one Segmenter get exactly the
 * sequential results.
 */
class SegmenterConcurrencyTest {

    @Test
    void eightThreadsMatchSequentialCalls(@TempDir Path dir) throws Exception {
        Path fixture = SharedData.require().resolve("fixtures/dilation8_pascal_voc");
        Path modelFile = dir.resolve("voc.zip");
        assertThat(CliRun.of("convert", "--prototxt", fixture.resolve("deploy.prototxt").toString(), "--weights",
                fixture.resolve("weights.caffemodel").toString(), "--preset", "pascal_voc", "-o",
                modelFile.toString()).exitCode()).isZero();
        List<Path> images = new ArrayList<>();
        for (Path f : SharedData.fixtures()) {
            images.add(f.resolve("input.png"));
        }
        try (SegmentationModel model = SegmentationModel.load(modelFile)) {
            List<SegmentationResult> sequential = new ArrayList<>();
            try (Segmenter one = model.segmenter(SegmenterOptions.defaults())) {
                for (Path image : images) {
                    sequential.add(one.segment(image));
                }
            }
            try (Segmenter shared = model.segmenter(SegmenterOptions.builder().threads(2).tileBatch(2).build())) {
                ExecutorService pool = Executors.newFixedThreadPool(8);
                List<Future<SegmentationResult>> futures = new ArrayList<>();
                List<Integer> order = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    int index = i % images.size();
                    order.add(index);
                    byte[] encoded = Files.readAllBytes(images.get(index));
                    futures.add(pool.submit(() -> shared.segment(images.get(index).toString(), encoded)));
                }
                for (int i = 0; i < futures.size(); i++) {
                    SegmentationResult concurrent = futures.get(i).get();
                    SegmentationResult expected = sequential.get(order.get(i));
                    assertThat(concurrent.labels()).isEqualTo(expected.labels());
                    assertThat(concurrent.probabilities().toArray().equals(expected.probabilities().toArray()))
                            .as("identical probabilities").isTrue();
                }
                pool.shutdown();
            }
        }
    }
}
