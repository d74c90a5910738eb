package ai.dilation4j.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;

import ai.dilation4j.runtime.model.Segmenter;

/**
 * The HTTP segmentation service, on Netty.
 *
 * <ul>
 *   <li>{@code POST /segment?output=json|labels|color|palette|overlay}: body = an encoded image; answers JSON with
 *       per-class pixel fractions and timings (the default), or the PNG of that {@code OutputKind}, named as in
 *       {@code segment --output}; another name gets 400 with the accepted ones;</li>
 *   <li>{@code GET /health}: {@code {"status":"ok"}}, answered on the network thread, never queued;</li>
 *   <li>{@code GET /metrics}: in the Prometheus text format, request counts by endpoint and status (499 = cancelled
 *       because the client left), requests in flight, connection counts, bytes of request bodies being received,
 *       latency quantiles; {@code GET /metrics.json} (or {@code /metrics?format=json}): the same facts about
 *       {@code /segment} as JSON.</li>
 * </ul>
 *
 * A request is admitted only once its whole body has arrived; then at most {@code threads} images are segmented at
 * once and at most {@code queue} more wait, and a request beyond that gets 503 at once. Bodies over
 * {@code maxBodyBytes} get 413 (from Content-Length, before being read), images over the segmenter's limits 413,
 * undecodable bodies 400, form uploads ({@code multipart/form-data}) 415 from their headers. The bodies being received share {@code maxBufferedBodyBytes} of memory: a request whose
 * body does not fit gets 503 at once ({@link BodyAggregator}). Clients too slow to send headers or body, or silent
 * too long between requests, lose their connection ({@link ExchangeTracker}); at most {@code maxConnections} are
 * open at once. A client that disconnects before its answer cancels its segmentation.
 */
public final class SegmentationService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentationService.class);
    /** Network threads: they only move bytes and answer health and metrics, the work runs elsewhere. */
    private static final int IO_THREADS = 2;

    private final ServiceConfig config;
    private final BodyBudget bodyBudget;
    private final ServiceMetrics metrics;
    private final SegmentationWorkers workers;
    private final ConnectionLimit connections;
    private EventLoopGroup acceptor;
    private EventLoopGroup network;
    private Channel listener;
    private boolean closed;

    /** Prepares the service; {@link #start()} opens the port. The caller keeps ownership of the segmenter. */
    public SegmentationService(Segmenter segmenter, ServiceConfig config) {
        this.config = config;
        this.bodyBudget = new BodyBudget(config.maxBufferedBodyBytes());
        this.metrics = new ServiceMetrics(bodyBudget);
        this.workers = new SegmentationWorkers(segmenter, config, metrics);
        this.connections = new ConnectionLimit(config.maxConnections(), metrics);
    }

    public ServiceConfig config() {
        return config;
    }

    /** Listens on the configured address; throws if the port cannot be opened (in use, no such address). */
    public synchronized void start() throws IOException {
        if (closed || listener != null) {
            throw new IllegalStateException("The service can be started once, before it is closed");
        }
        acceptor = new NioEventLoopGroup(1, new DefaultThreadFactory("dilation4j-accept", true));
        network = new NioEventLoopGroup(IO_THREADS, new DefaultThreadFactory("dilation4j-http", true));
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, network)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        configure(channel);
                    }
                });
        ChannelFuture bound = bootstrap.bind(config.host(), config.port()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            Throwable cause = bound.cause();
            throw new IOException("Cannot listen on " + config.host() + ":" + config.port() + ": "
                    + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName())
                    + "; choose another address or port", cause);
        }
        listener = bound.channel();
        LOG.info("Serving on http://{}:{}/ (threads {}, queue {}, at most {} connections and {} bytes of request "
                + "bodies being received)", config.host(), port(), config.threads(), config.queue(),
                config.maxConnections(), config.maxBufferedBodyBytes());
    }

    private void configure(SocketChannel channel) {
        if (!connections.admit(channel)) {
            return;
        }
        ExchangeTracker tracker = new ExchangeTracker(config, metrics);
        channel.pipeline().addLast(
                tracker.firstByteWatcher(),
                new HttpServerCodec(),
                tracker,
                new BodyAggregator((int) config.maxBodyBytes(), bodyBudget, metrics),
                new RequestHandler(workers, metrics, config));
    }

    /** The port listened on (the chosen one when the configuration asked for port 0). */
    public synchronized int port() {
        if (listener == null) {
            throw new IllegalStateException("The service is not started");
        }
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /**
     * Stops listening, answers every admitted request 503 (running segmentations are interrupted before their next
     * tile), closes the connections and stops the threads.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
        workers.close();
        connections.closeAll();
        for (EventLoopGroup group : new EventLoopGroup[] {acceptor, network}) {
            if (group != null) {
                group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
            }
        }
    }
}
