package ai.dilation4j.server;

import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * At most {@code maxConnections} open connections: each costs a file descriptor (the bodies they buffer are bounded
 * together by {@link BodyBudget}). A connection beyond the cap gets a 503 at once and is closed, before anything is
 * read from it.
 */
final class ConnectionLimit {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimit.class);

    private final int maxConnections;
    private final ServiceMetrics metrics;
    private final AtomicInteger open = new AtomicInteger();
    private final ChannelGroup channels = new DefaultChannelGroup("dilation4j-connections",
            GlobalEventExecutor.INSTANCE);

    ConnectionLimit(int maxConnections, ServiceMetrics metrics) {
        this.maxConnections = maxConnections;
        this.metrics = metrics;
    }

    /**
     * Takes a slot for a new connection, given back when it closes; if none is left, sets the connection up to be
     * refused and returns false.
     */
    boolean admit(Channel channel) {
        if (open.incrementAndGet() > maxConnections) {
            open.decrementAndGet();
            metrics.connectionRefused();
            LOG.debug("{}: refused, {} connections are open", channel, maxConnections);
            channel.pipeline().addLast(new HttpResponseEncoder(), new Refusal());
            return false;
        }
        metrics.connectionOpened();
        channels.add(channel);
        channel.closeFuture().addListener(closed -> {
            open.decrementAndGet();
            metrics.connectionClosed();
        });
        return true;
    }

    /** Closes every open connection and waits a little for them to close. */
    void closeAll() {
        channels.close().awaitUninterruptibly(5_000);
    }

    @ChannelHandler.Sharable
    private final class Refusal extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Responses.busy(HttpVersion.HTTP_1_1, "too many connections: " + maxConnections
                    + " are open; retry later", false)).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
