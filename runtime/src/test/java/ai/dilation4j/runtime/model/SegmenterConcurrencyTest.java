package ai.dilation4j.runtime.model;

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

import ai.dilation4j.runtime.segment.SegmentationResult;
import ai.dilation4j.runtime.testing.SyntheticImages;

/**
 * 8 threads segmenting images of several sizes (several tiles each) through one Segmenter, two graphs and two
 * tiles per network call, get exactly the sequential results. The model has both convolution kernels (im2col +
 * GEMM and Winograd's), whose working memory must not be shared between the graphs.
 */
class SegmenterConcurrencyTest {

    @Test
    void eightThreadsMatchSequentialCalls(@TempDir Path dir) throws Exception {
        Path modelFile = TinyGraph.tiledWithWinogradLayer(dir.resolve("tiny.zip"));
        List<Path> images = new ArrayList<>();
        int[][] sizes = {{37, 29}, {40, 50}, {61, 45}, {20, 70}};
        for (int i = 0; i < sizes.length; i++) {
            images.add(SyntheticImages.scene(dir.resolve("scene" + i + ".png"), sizes[i][0], sizes[i][1], i));
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
