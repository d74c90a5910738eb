package ai.dilation4j.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * Netty's aggregator with our 413: a JSON message, counted in the metrics, and the connection closed. A body
 * declared too large is refused from its Content-Length before any of it is read (also when the client waits
 * for 100-continue); a chunked body as soon as it grows past the limit.
 */
final class BodyAggregator extends HttpObjectAggregator {

    private final ServiceMetrics metrics;

    BodyAggregator(int maxBodyBytes, ServiceMetrics metrics) {
        super(maxBodyBytes, true);
        this.metrics = metrics;
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (response instanceof HttpResponse refusal
                && refusal.status().equals(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE)) {
            ReferenceCountUtil.release(response);
            return tooLarge(start);
        }
        return response;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        // ExchangeTracker closes the connection once the rest of the body is drained.
        ctx.writeAndFlush(tooLarge(oversized));
    }

    private FullHttpResponse tooLarge(HttpMessage request) {
        if (request instanceof HttpRequest httpRequest && RequestHandler.isSegmentation(httpRequest)) {
            metrics.rejected(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code());
        }
        long declared = HttpUtil.getContentLength(request, -1L);
        String message = (declared >= 0 ? "body of " + declared + " bytes" : "body") + " exceeds the limit of "
                + maxContentLength() + " bytes";
        return Responses.error(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, message, false);
    }
}
