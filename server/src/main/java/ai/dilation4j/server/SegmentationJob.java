package ai.dilation4j.server;

import java.io.IOException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import ai.dilation4j.runtime.DilationException;
import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.SegmentationCancelledException;
import ai.dilation4j.runtime.image.ImageTooLargeException;
import ai.dilation4j.runtime.model.Segmenter;
import ai.dilation4j.runtime.segment.ImageSegmenter;
import ai.dilation4j.runtime.segment.SegmentationResult;

/**
 * One admitted segmentation request: runs on a worker thread and answers on the request's connection. It can be
 * cancelled at any time, by the client going away (counted as 499, nothing is sent) or by the service shutting
 * down (answered 503): a job still waiting never runs, a running one is interrupted, which the segmenter notices
 * before its next tile.
 */
final class SegmentationJob implements Runnable {

    static final int CLIENT_GONE = ServiceMetrics.CLIENT_CLOSED_REQUEST;
    static final int SHUTTING_DOWN = HttpResponseStatus.SERVICE_UNAVAILABLE.code();

    private static final Logger LOG = LoggerFactory.getLogger(SegmentationJob.class);

    private enum State { QUEUED, RUNNING, DONE }

    private final SegmentationWorkers workers;
    private final Channel channel;
    private final HttpVersion version;
    private final boolean keepAlive;
    private final OutputFormat output;
    private final long receivedNanos;
    private final AtomicReference<State> state = new AtomicReference<>(State.QUEUED);
    /** The status a cancellation reports (CLIENT_GONE or SHUTTING_DOWN), 0 while not cancelled. */
    private final AtomicInteger cancelledWith = new AtomicInteger();
    private volatile Future<?> future;
    private byte[] body;

    SegmentationJob(SegmentationWorkers workers, Channel channel, HttpVersion version, boolean keepAlive,
                    OutputFormat output, byte[] body, long receivedNanos) {
        this.workers = workers;
        this.channel = channel;
        this.version = version;
        this.keepAlive = keepAlive;
        this.output = output;
        this.body = body;
        this.receivedNanos = receivedNanos;
    }

    void started(Future<?> submitted) {
        this.future = submitted;
    }

    @Override
    public void run() {
        if (!state.compareAndSet(State.QUEUED, State.RUNNING)) {
            return;
        }
        Answer answer = new Answer(HttpResponseStatus.INTERNAL_SERVER_ERROR.code(), null);
        try {
            answer = segmentAndAnswer();
        } finally {
            // Counted before the answer is written: a client that reads /metrics once it has its answer sees it.
            end(answer.status());
            if (answer.response() != null) {
                channel.writeAndFlush(answer.response());
            }
        }
    }

    /** The status to count and the response still to write (null when none is, or one was written already). */
    private record Answer(int status, FullHttpResponse response) {
    }

    /** Stops the job; {@code status} is {@link #CLIENT_GONE} or {@link #SHUTTING_DOWN}. Safe from any thread. */
    void cancel(int status) {
        cancelledWith.compareAndSet(0, status);
        Future<?> submitted = future;
        if (state.compareAndSet(State.QUEUED, State.DONE)) {
            if (submitted != null) {
                submitted.cancel(false);
                workers.forget(submitted);
            }
            end(answerCancelled());
        } else if (state.get() == State.RUNNING && submitted != null) {
            submitted.cancel(true);
        }
    }

    private Answer segmentAndAnswer() {
        FullHttpResponse response;
        try {
            byte[] encoded = body;
            body = null;
            Segmenter segmenter = workers.segmenter();
            try (ImageSegmenter.Prepared prepared = segmenter.prepare("request", encoded)) {
                encoded = null;
                SegmentationResult result = segmenter.finish(segmenter.infer(prepared));
                response = output.render(version, result, prepared.image().bgr(), keepAlive);
            }
        } catch (SegmentationCancelledException e) {
            return new Answer(answerCancelled(), null);
        } catch (ImageTooLargeException e) {
            response = error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, e.getMessage());
        } catch (InvalidInputException e) {
            response = error(HttpResponseStatus.BAD_REQUEST, e.getMessage());
        } catch (DilationException e) {
            LOG.warn("Segmentation failed: {}", e.getMessage());
            response = error(HttpResponseStatus.SERVICE_UNAVAILABLE, e.getMessage());
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            if (cancelledWith.get() != 0) {
                // Interrupted inside a library that reports it its own way.
                LOG.debug("Cancelled segmentation ended with {}", e.toString());
                return new Answer(answerCancelled(), null);
            }
            LOG.error("Segmentation failed unexpectedly", e);
            response = error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error (" + e.getClass().getSimpleName()
                    + "); the service log has the details");
        }
        if (cancelledWith.get() != 0) {
            response.release();
            return new Answer(answerCancelled(), null);
        }
        return new Answer(response.status().code(), response);
    }

    /** Answers a cancelled job (only when the client is still there to read it) and returns the status to count. */
    private int answerCancelled() {
        int status = cancelledWith.get();
        if (status == CLIENT_GONE) {
            return status;
        }
        channel.writeAndFlush(Responses.busy(version, "the service is shutting down; retry on another instance",
                keepAlive));
        return SHUTTING_DOWN;
    }

    private FullHttpResponse error(HttpResponseStatus status, String message) {
        return Responses.error(version, status, message, keepAlive);
    }

    private void end(int status) {
        state.set(State.DONE);
        workers.finished(this, status, System.nanoTime() - receivedNanos);
    }
}
