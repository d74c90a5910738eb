package ai.dilation4j.server;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * Netty's aggregator with our 413 and a share of the {@link BodyBudget}.
 *
 * <p>413: a JSON message, counted in the metrics, and the connection closed. A body declared too large is refused
 * from its Content-Length before any of it is read (also when the client waits for 100-continue); a chunked body
 * as soon as it grows past the limit.
 *
 * <p>Budget: a body is reserved before it is buffered, from its Content-Length when the headers arrive (before
 * 100-continue is sent) and chunk by chunk for chunked bodies. A request that does not fit gets 503 with
 * {@code Retry-After}, what it had buffered is freed, the rest of its body is dropped here, and the connection
 * closes ({@link ExchangeTracker} drains and closes; a client waiting for 100-continue sends no body, so its
 * connection closes at once). The reservation is given back, once, when the body is complete (admission bounds
 * requests from there on), when the request is refused (413, expectation failed, budget) and when the connection
 * closes (client gone, body timeout, service closed).
 *
 * <p>415: a form upload ({@code multipart/form-data}) to {@code /segment} is refused from its headers, before any of
 * its body is reserved or read, with a message saying to send the raw image bytes; the connection closes as for
 * 503.
 */
final class BodyAggregator extends HttpObjectAggregator {

    private static final Logger LOG = LoggerFactory.getLogger(BodyAggregator.class);

    private final BodyBudget budget;
    private final ServiceMetrics metrics;
    /** Bytes of the current body reserved in the budget; zero once given back. */
    private long reserved;
    /** Bytes of the current body received so far. */
    private long received;
    /** The current body is being buffered, so every byte of it needs a reservation. */
    private boolean buffering;
    /** The current request was refused for want of budget; the rest of its body is dropped unread. */
    private boolean refused;
    private boolean segmentationRequest;

    BodyAggregator(int maxBodyBytes, BodyBudget budget, ServiceMetrics metrics) {
        super(maxBodyBytes, true);
        this.budget = budget;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (refused && msg instanceof HttpContent && !(msg instanceof HttpRequest)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, HttpObject msg, List<Object> out) throws Exception {
        int aggregatedBefore = out.size();
        if (msg instanceof HttpRequest request) {
            giveBack();
            refused = false;
            received = 0;
            segmentationRequest = RequestHandler.isSegmentation(request);
            if (segmentationRequest && RequestHandler.isFormUpload(request)) {
                metrics.rejected(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE.code());
                refuseUnread(ctx, RequestHandler.formUploadRefusal(), HttpUtil.is100ContinueExpected(request));
                return;
            }
            long declared = declaredLength(request);
            // A body declared over the limit gets 413 unread, a malformed request its 4xx: nothing to reserve.
            boolean reservable = declared > 0 && declared <= maxContentLength()
                    && request.decoderResult().isSuccess();
            if (reservable && !reserve(declared)) {
                refuse(ctx, HttpUtil.is100ContinueExpected(request));
                return;
            }
            buffering = true;
        } else if (buffering && msg instanceof HttpContent chunk) {
            received += chunk.content().readableBytes();
            // Past the limit the base class answers 413 and frees the body (handleOversizedMessage).
            if (received > reserved && received <= maxContentLength() && !reserve(received - reserved)) {
                releaseCurrentMessage();
                refuse(ctx, false);
                return;
            }
        }
        super.decode(ctx, msg, out);
        if (out.size() > aggregatedBefore) {
            giveBack();
        }
    }

    private boolean reserve(long bytes) {
        if (!budget.tryReserve(bytes)) {
            return false;
        }
        reserved += bytes;
        return true;
    }

    /** Ends the accounting of the current body: its buffer is handed on or freed. Safe to call again. */
    private void giveBack() {
        buffering = false;
        if (reserved > 0) {
            budget.release(reserved);
            reserved = 0;
        }
    }

    private void refuse(ChannelHandlerContext ctx, boolean closeNow) {
        metrics.bodyBudgetRefused();
        if (segmentationRequest) {
            metrics.rejected(HttpResponseStatus.SERVICE_UNAVAILABLE.code());
        }
        LOG.debug("{}: request body refused, {} of {} bytes for bodies being received are taken", ctx.channel(),
                budget.reserved(), budget.limit());
        refuseUnread(ctx, Responses.busy(HttpVersion.HTTP_1_1, "busy: the request bodies being received fill the "
                + budget.limit() + " bytes set aside for them; retry later", false), closeNow);
    }

    /**
     * Answers the current request with {@code refusal} (which closes the connection), frees what was buffered and
     * drops the rest of its body unread.
     */
    private void refuseUnread(ChannelHandlerContext ctx, FullHttpResponse refusal, boolean closeNow) {
        giveBack();
        refused = true;
        ChannelFuture answered = ctx.writeAndFlush(refusal);
        if (closeNow) {
            answered.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (response instanceof HttpResponse refusal && !refusal.status().equals(HttpResponseStatus.CONTINUE)) {
            giveBack(); // the body will not be read
            if (refusal.status().equals(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE)) {
                ReferenceCountUtil.release(response);
                return tooLarge(start);
            }
        }
        return response;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        giveBack();
        // ExchangeTracker closes the connection once the rest of the body is drained.
        ctx.writeAndFlush(tooLarge(oversized));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        try {
            super.channelInactive(ctx);
        } finally {
            giveBack();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) throws Exception {
        try {
            super.handlerRemoved(ctx);
        } finally {
            giveBack();
        }
    }

    private FullHttpResponse tooLarge(HttpMessage request) {
        if (request instanceof HttpRequest httpRequest && RequestHandler.isSegmentation(httpRequest)) {
            metrics.rejected(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code());
        }
        long declared = declaredLength(request);
        String message = (declared >= 0 ? "body of " + declared + " bytes" : "body") + " exceeds the limit of "
                + maxContentLength() + " bytes";
        return Responses.error(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, message, false);
    }

    /** The Content-Length of a body sent in one piece, or -1 (chunked, absent, or not a number). */
    private static long declaredLength(HttpMessage message) {
        if (HttpUtil.isTransferEncodingChunked(message)) {
            return -1;
        }
        try {
            return HttpUtil.getContentLength(message, -1L);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
