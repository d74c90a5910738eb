package ai.dilation4j.server;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;

import ai.dilation4j.runtime.model.Segmenter;

/**
 * Admission and the worker threads: at most {@code threads} segmentations run and {@code queue} more wait; a
 * request is admitted only once its whole body has arrived, so slow senders hold no slot.
 */
final class SegmentationWorkers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentationWorkers.class);
    private static final long LOG_EVERY_SECONDS = 10;
    /** Far beyond one tile's forward pass, even for a full-size model on a slow CPU. */
    private static final long GIVE_UP_SECONDS = 600;

    private final Segmenter segmenter;
    private final ServiceMetrics metrics;
    private final Semaphore slots;
    private final ThreadPoolExecutor pool;
    private final Set<SegmentationJob> jobs = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    SegmentationWorkers(Segmenter segmenter, ServiceConfig config, ServiceMetrics metrics) {
        this.segmenter = segmenter;
        this.metrics = metrics;
        this.slots = new Semaphore(config.threads() + config.queue());
        // The queue never holds more than `queue` jobs: the semaphore admits no more.
        this.pool = new ThreadPoolExecutor(config.threads(), config.threads(), 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), new DefaultThreadFactory("dilation4j-segment", true));
    }

    /**
     * Admits a request and queues its segmentation; returns null (and copies nothing) when {@code threads +
     * queue} requests are already admitted.
     */
    SegmentationJob trySubmit(Channel channel, HttpVersion version, boolean keepAlive, OutputFormat output,
                              ByteBuf body, long receivedNanos) {
        if (closed || !slots.tryAcquire()) {
            return null;
        }
        metrics.admitted();
        SegmentationJob job = new SegmentationJob(this, channel, version, keepAlive, output, ByteBufUtil.getBytes(body),
                receivedNanos);
        jobs.add(job);
        try {
            job.started(pool.submit(job));
        } catch (RejectedExecutionException e) {
            job.cancel(SegmentationJob.SHUTTING_DOWN);
        }
        return job;
    }

    Segmenter segmenter() {
        return segmenter;
    }

    /** Drops a job cancelled before it ran from the pool's queue. */
    void forget(Future<?> queued) {
        pool.remove((Runnable) queued);
    }

    /** Called once per admitted job, however it ended. */
    void finished(SegmentationJob job, int status, long nanos) {
        jobs.remove(job);
        slots.release();
        metrics.finished(status, nanos);
    }

    /**
     * Answers every admitted request 503 (running ones are interrupted and stop before their next tile) and waits
     * for the threads to end, so that the caller may close the segmenter and model afterwards: a thread still in a
     * forward pass would use the weights they free.
     */
    @Override
    public void close() {
        closed = true;
        for (SegmentationJob job : jobs) {
            job.cancel(SegmentationJob.SHUTTING_DOWN);
        }
        pool.shutdownNow();
        long waited = 0;
        try {
            while (!pool.awaitTermination(LOG_EVERY_SECONDS, TimeUnit.SECONDS)) {
                waited += LOG_EVERY_SECONDS;
                if (waited >= GIVE_UP_SECONDS) {
                    LOG.error("Segmentation threads still running {} s after the service closed; giving up on them",
                            waited);
                    return;
                }
                LOG.warn("Waiting for {} segmentations to finish their current tile ({} s so far)",
                        pool.getActiveCount(), waited);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
