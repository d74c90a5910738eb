package ai.dilation4j.server;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

/**
 * Routes the complete requests of one connection. {@code /health} and {@code /metrics} (Prometheus text;
 * {@code /metrics.json} or {@code /metrics?format=json} the JSON view) are answered here on the event loop, so they never wait behind segmentations; {@code /segment} is admitted or refused here and runs on a
 * worker ({@link SegmentationJob}), which is cancelled if the connection closes before the answer.
 */
final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    static final String SEGMENT = "/segment";
    static final String HEALTH = "/health";
    static final String METRICS = "/metrics";
    static final String METRICS_JSON = "/metrics.json";

    private static final Logger LOG = LoggerFactory.getLogger(RequestHandler.class);

    private final SegmentationWorkers workers;
    private final ServiceMetrics metrics;
    private final String busyMessage;
    private SegmentationJob job;

    RequestHandler(SegmentationWorkers workers, ServiceMetrics metrics, ServiceConfig config) {
        this.workers = workers;
        this.metrics = metrics;
        this.busyMessage = "busy: " + config.threads() + " requests running and " + config.queue()
                + " waiting; retry later";
    }

    static boolean isSegmentation(HttpRequest request) {
        return new QueryStringDecoder(request.uri()).path().equals(SEGMENT);
    }

    /**
     * A browser form upload: the image would be one part among others, so the body is not the image. Decided from
     * the headers, so such a request is refused before its body is read.
     */
    static boolean isFormUpload(HttpRequest request) {
        CharSequence mimeType = HttpUtil.getMimeType(request);
        return request.method().equals(HttpMethod.POST) && mimeType != null
                && HttpHeaderValues.MULTIPART_FORM_DATA.contentEqualsIgnoreCase(mimeType.toString().trim());
    }

    static FullHttpResponse formUploadRefusal() {
        return Responses.error(HttpVersion.HTTP_1_1, HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE,
                "multipart/form-data is not accepted: send the raw image bytes as the request body, e.g. "
                        + "curl --data-binary @photo.jpg http://HOST:PORT" + SEGMENT, false);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            Throwable cause = request.decoderResult().cause();
            ctx.writeAndFlush(Responses.error(HttpVersion.HTTP_1_1, malformedStatus(cause),
                    "malformed request: " + cause.getMessage(), false));
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        switch (uri.path()) {
            case HEALTH -> report(ctx, request, "health", () -> json(request, Map.of("status", "ok")));
            case METRICS -> report(ctx, request, "metrics", () -> wantsJson(uri) ? json(request, metrics.snapshot())
                    : Responses.bytes(request.protocolVersion(), HttpResponseStatus.OK,
                            ServiceMetrics.PROMETHEUS_CONTENT_TYPE, metrics.prometheusText(),
                            HttpUtil.isKeepAlive(request)));
            case METRICS_JSON -> report(ctx, request, "metrics", () -> json(request, metrics.snapshot()));
            case SEGMENT -> segment(ctx, request, uri);
            default -> answer(ctx, "other", error(request, HttpResponseStatus.NOT_FOUND, "no endpoint " + uri.path()
                    + "; use POST " + SEGMENT + ", GET " + HEALTH + ", GET " + METRICS + " (Prometheus) or GET "
                    + METRICS_JSON));
        }
    }

    private static boolean wantsJson(QueryStringDecoder uri) {
        return uri.parameters().getOrDefault("format", List.of()).contains("json");
    }

    private void report(ChannelHandlerContext ctx, FullHttpRequest request, String endpoint,
                        Supplier<FullHttpResponse> response) {
        if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
            FullHttpResponse refusal = error(request, HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET");
            refusal.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            answer(ctx, endpoint, refusal);
            return;
        }
        answer(ctx, endpoint, response.get());
    }

    private void answer(ChannelHandlerContext ctx, String endpoint, FullHttpResponse response) {
        metrics.answered(endpoint, response.status().code());
        ctx.writeAndFlush(response);
    }

    private static FullHttpResponse json(FullHttpRequest request, Object body) {
        return Responses.json(request.protocolVersion(), HttpResponseStatus.OK, body, HttpUtil.isKeepAlive(request));
    }

    private void segment(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        long received = System.nanoTime();
        if (!request.method().equals(HttpMethod.POST)) {
            FullHttpResponse refusal = error(request, HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "use POST with the image as the request body");
            refusal.headers().set(HttpHeaderNames.ALLOW, "POST");
            reject(ctx, refusal);
            return;
        }
        String outputName = uri.parameters().getOrDefault("output", List.of(OutputFormat.JSON_NAME)).get(0);
        Optional<OutputFormat> output = OutputFormat.parse(outputName);
        if (output.isEmpty()) {
            reject(ctx, error(request, HttpResponseStatus.BAD_REQUEST, "output must be one of "
                    + String.join(", ", OutputFormat.names()) + " (got '" + outputName + "')"));
            return;
        }
        job = workers.trySubmit(ctx.channel(), request.protocolVersion(), HttpUtil.isKeepAlive(request),
                output.get(), request.content(), received);
        if (job == null) {
            reject(ctx, Responses.busy(request.protocolVersion(), busyMessage, HttpUtil.isKeepAlive(request)));
        }
    }

    private void reject(ChannelHandlerContext ctx, FullHttpResponse response) {
        metrics.rejected(response.status().code());
        ctx.writeAndFlush(response);
    }

    private static FullHttpResponse error(FullHttpRequest request, HttpResponseStatus status, String message) {
        return Responses.error(request.protocolVersion(), status, message, HttpUtil.isKeepAlive(request));
    }

    private static HttpResponseStatus malformedStatus(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        return cause instanceof TooLongFrameException ? HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE
                : HttpResponseStatus.BAD_REQUEST;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (job != null) {
            job.cancel(SegmentationJob.CLIENT_GONE);
            job = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || cause instanceof PrematureChannelClosureException) {
            // The client reset the connection, or it closed (or was closed for slowness) mid-request.
            LOG.debug("{}: {}", ctx.channel(), cause.toString());
        } else {
            LOG.error("{}: unexpected failure; closing the connection", ctx.channel(), cause);
        }
        ctx.close();
    }
}
