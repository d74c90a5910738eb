package ai.dilation4j.server;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.bytedeco.opencv.opencv_core.Mat;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import ai.dilation4j.runtime.output.SegmentationImages;
import ai.dilation4j.runtime.output.SegmentationSummary;
import ai.dilation4j.runtime.segment.SegmentationResult;

/** What {@code POST /segment?output=...} answers. */
enum OutputFormat {
    /** The 8-bit label PNG: one class index per pixel. */
    LABELS,
    /** The PNG in the dataset's palette colors. */
    COLOR,
    /** Size, per-class pixel fractions and timings. */
    JSON;

    static Optional<OutputFormat> parse(String name) {
        for (OutputFormat format : values()) {
            if (format.name().toLowerCase(Locale.ROOT).equals(name)) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }

    FullHttpResponse render(HttpVersion version, SegmentationResult result, boolean keepAlive) throws IOException {
        return switch (this) {
            case LABELS -> png(version, SegmentationImages.labels(result), keepAlive);
            case COLOR -> png(version, SegmentationImages.color(result), keepAlive);
            case JSON -> Responses.json(version, HttpResponseStatus.OK, SegmentationSummary.of(result), keepAlive);
        };
    }

    private static FullHttpResponse png(HttpVersion version, Mat image, boolean keepAlive) throws IOException {
        try (image) {
            return Responses.png(version, SegmentationImages.encodePng(image), keepAlive);
        }
    }
}
