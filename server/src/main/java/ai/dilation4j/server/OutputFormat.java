package ai.dilation4j.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.bytedeco.opencv.opencv_core.Mat;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import ai.dilation4j.runtime.output.OutputKind;
import ai.dilation4j.runtime.output.SegmentationSummary;
import ai.dilation4j.runtime.segment.SegmentationResult;

/**
 * What {@code POST /segment?output=...} answers: the JSON summary, or one of the PNG kinds of {@link OutputKind}
 * under the name {@code segment --output} gives it (labels, color, palette, overlay).
 *
 * @param image the PNG kind answered, null for the JSON summary
 */
record OutputFormat(OutputKind image) {

    static final String JSON_NAME = "json";
    static final OutputFormat JSON = new OutputFormat(null);

    /** The format named {@code name}, empty for a name that is neither json nor a PNG kind's. */
    static Optional<OutputFormat> parse(String name) {
        return name.equals(JSON_NAME) ? Optional.of(JSON)
                : OutputKind.parse(name).filter(OutputKind::isPng).map(OutputFormat::new);
    }

    /** Every name {@link #parse} accepts, json first. */
    static List<String> names() {
        List<String> names = new ArrayList<>(List.of(JSON_NAME));
        for (OutputKind kind : OutputKind.values()) {
            if (kind.isPng()) {
                names.add(kind.id());
            }
        }
        return names;
    }

    /** The answer for {@code result}; {@code imageBgr} is the segmented image (the overlay is drawn on it). */
    FullHttpResponse render(HttpVersion version, SegmentationResult result, Mat imageBgr, boolean keepAlive)
            throws IOException {
        return image == null ? Responses.json(version, HttpResponseStatus.OK, SegmentationSummary.of(result), keepAlive)
                : Responses.png(version, image.encodePng(result, imageBgr), keepAlive);
    }
}
