package ai.dilation4j.samples;

import java.nio.file.Path;

import ai.dilation4j.models.ModelZoo;
import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.runtime.model.Segmenter;
import ai.dilation4j.runtime.model.SegmenterOptions;
import ai.dilation4j.runtime.segment.SegmentationResult;

/**
 * The smallest embedding: load a model (a file or a fetched preset), segment images, read the result.
 *
 * <pre>mvn -q -pl samples exec:java -Dexec.mainClass=ai.dilation4j.samples.EmbeddingExample -Dexec.args="MODEL IMAGE..."</pre>
 */
public final class EmbeddingExample {

    private EmbeddingExample() {
    }

    public static void main(String[] args) throws Exception {
        try (SegmentationModel model = ModelZoo.standard().load(args[0]);
             Segmenter segmenter = model.segmenter(SegmenterOptions.builder().maxInputPixels(20_000_000).build())) {
            for (int i = 1; i < args.length; i++) {
                SegmentationResult result = segmenter.segment(Path.of(args[i]));
                double[] fractions = result.classFractions();
                int dominant = 0;
                for (int c = 1; c < fractions.length; c++) {
                    dominant = fractions[c] > fractions[dominant] ? c : dominant;
                }
                System.out.printf("%s: %dx%d, mostly %s (%.1f%%), %.0f ms%n", args[i], result.width(),
                        result.height(), result.dataset().classNames().get(dominant), 100 * fractions[dominant],
                        result.timingsMs().values().stream().mapToDouble(Double::doubleValue).sum());
            }
        }
    }
}
