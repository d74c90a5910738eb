package ai.dilation4j.runtime.output;

import java.util.LinkedHashMap;
import java.util.Map;

import ai.dilation4j.runtime.segment.SegmentationResult;

/**
 * The JSON summary of one segmentation, the same for the {@code segment} command's lines and the service's
 * answers: size, tiles, input conversions, per-class pixel fractions and stage timings.
 */
public final class SegmentationSummary {

    private SegmentationSummary() {
    }

    /**
     * {@code width}, {@code height}, {@code tiles}, {@code conversions} (when the input was converted),
     * {@code class_fractions} by class name and {@code timings_ms} by stage, in that order.
     */
    public static Map<String, Object> of(SegmentationResult result) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("width", result.width());
        summary.put("height", result.height());
        summary.put("tiles", result.tiles());
        if (!result.conversions().isEmpty()) {
            summary.put("conversions", result.conversions());
        }
        Map<String, Double> fractions = new LinkedHashMap<>();
        double[] values = result.classFractions();
        for (int c = 0; c < values.length; c++) {
            fractions.put(result.dataset().classNames().get(c), values[c]);
        }
        summary.put("class_fractions", fractions);
        summary.put("timings_ms", result.timingsMs());
        return summary;
    }
}
