package ai.dilation4j.server;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * Follows the request/response exchanges of one connection and gives each phase in which the client owes us
 * bytes its own deadline: headers ({@code headerTimeout}, from the first byte of a request), body
 * ({@code bodyTimeout}, from the end of the headers) and the silence between kept-alive requests
 * ({@code idleTimeout}). A client too slow in any of them loses its connection, so slow clients cost a
 * connection slot for a bounded time and never a thread. While a request is handled there is no deadline (a
 * segmentation may take minutes), but reading goes on, so that a client closing its connection is noticed.
 *
 * <p>One request at a time: a request pipelined behind one not answered yet is dropped, and the connection is
 * closed after the answer (clients resend such requests on a new connection). A request answered before its body
 * arrived (413) has the rest of its body read and discarded, up to {@value #DRAIN_LIMIT} bytes, so the client
 * sees the answer instead of a reset connection.
 *
 * <p>Sits after the HTTP codec; {@link #firstByteWatcher()} goes before it. Both run on the connection's event
 * loop only.
 */
final class ExchangeTracker extends ChannelDuplexHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ExchangeTracker.class);
    private static final long DRAIN_LIMIT = 4L << 20;

    private enum Phase { AWAITING_HEADERS, AWAITING_BODY, HANDLING, IDLE }

    private final ServiceConfig config;
    private final ServiceMetrics metrics;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.AWAITING_HEADERS;
    private ScheduledFuture<?> deadline;
    private boolean segmentationRequest;
    private ChannelFuture answer;
    private long drainedBytes;
    private boolean dropRest;

    ExchangeTracker(ServiceConfig config, ServiceMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    /** The handler to put before the HTTP codec: it starts the header deadline at a request's first byte. */
    ChannelHandler firstByteWatcher() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext byteContext, Object msg) {
                if (phase == Phase.IDLE && msg instanceof ByteBuf bytes && bytes.isReadable()) {
                    enter(Phase.AWAITING_HEADERS);
                }
                byteContext.fireChannelRead(msg);
            }
        };
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        enter(Phase.AWAITING_HEADERS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelDeadline();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (dropRest) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            if (phase != Phase.AWAITING_HEADERS) {
                LOG.debug("{}: request pipelined behind an unanswered one; closing after the answer", ctx.channel());
                dropRest = true;
                closeAfterAnswer();
                ReferenceCountUtil.release(msg);
                return;
            }
            segmentationRequest = RequestHandler.isSegmentation(request);
            answer = null;
            drainedBytes = 0;
            enter(Phase.AWAITING_BODY);
        }
        if (msg instanceof HttpContent content) {
            if (answer != null) {
                drainedBytes += content.content().readableBytes();
                if (drainedBytes > DRAIN_LIMIT) {
                    closeAfterAnswer();
                }
            }
            if (msg instanceof LastHttpContent) {
                if (answer != null) {
                    closeAfterAnswer();
                } else {
                    enter(Phase.HANDLING);
                }
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        boolean finalAnswer = msg instanceof HttpResponse response && msg instanceof LastHttpContent
                && response.status().codeClass() != HttpStatusClass.INFORMATIONAL;
        if (!finalAnswer) {
            ctx.write(msg, promise);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive((HttpResponse) msg) && !dropRest;
        ctx.write(msg, promise);
        answer = promise;
        if (phase == Phase.AWAITING_BODY) {
            // Answered before the body arrived (a refusal, which says Connection: close): the deadline stays and
            // the rest of the body is drained, then the connection closes (see channelRead).
            return;
        }
        if (keepAlive) {
            promise.addListener(written -> {
                if (written.isSuccess() && ctx.channel().isActive()) {
                    enter(Phase.IDLE);
                }
            });
        } else {
            closeAfterAnswer();
        }
    }

    private void closeAfterAnswer() {
        cancelDeadline();
        if (answer == null) {
            return; // the answer's write will close (write sees dropRest)
        }
        answer.addListener(ChannelFutureListener.CLOSE);
    }

    private void enter(Phase next) {
        cancelDeadline();
        phase = next;
        Duration limit = switch (next) {
            case AWAITING_HEADERS -> config.headerTimeout();
            case AWAITING_BODY -> config.bodyTimeout();
            case IDLE -> config.idleTimeout();
            case HANDLING -> null;
        };
        if (limit != null) {
            deadline = ctx.executor().schedule(() -> expired(next), limit.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void expired(Phase expiredPhase) {
        if (phase != expiredPhase || !ctx.channel().isActive()) {
            return;
        }
        deadline = null;
        switch (expiredPhase) {
            case AWAITING_HEADERS -> {
                metrics.slowHeaders();
                LOG.debug("{}: no complete request headers within {}; closing", ctx.channel(), config.headerTimeout());
                ctx.close();
            }
            case AWAITING_BODY -> {
                metrics.slowBody();
                LOG.debug("{}: request body incomplete after {}; closing", ctx.channel(), config.bodyTimeout());
                if (answer != null) {
                    ctx.close();
                    return;
                }
                if (segmentationRequest) {
                    metrics.rejected(HttpResponseStatus.REQUEST_TIMEOUT.code());
                }
                // Written from here, so it reaches the codec without passing this handler's write().
                ctx.writeAndFlush(Responses.error(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT,
                        "the request body did not arrive within " + ServiceConfig.describe(config.bodyTimeout())
                                + "; send it in one go", false)).addListener(ChannelFutureListener.CLOSE);
            }
            case IDLE -> {
                metrics.idleClosed();
                ctx.close();
            }
            case HANDLING -> throw new IllegalStateException("no deadline while handling");
        }
    }
}
