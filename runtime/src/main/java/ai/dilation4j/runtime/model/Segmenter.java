package ai.dilation4j.runtime.model;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import org.bytedeco.opencv.opencv_core.Mat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.DilationException;
import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.SegmentationCancelledException;
import ai.dilation4j.runtime.device.NativeThreads;
import ai.dilation4j.runtime.nn.conv.Precision;
import ai.dilation4j.runtime.segment.ImageSegmenter;
import ai.dilation4j.runtime.segment.SegmentationResult;

/**
 * Segments images; safe to call from many threads at once. A DL4J {@code ComputationGraph} must not run two
 * forward passes at once (DL4J issue #9993), so the segmenter keeps {@code threads} graphs built over the
 * <em>same</em> parameter array (the weights are in memory once) and lends one to each forward pass; callers
 * beyond that wait. Decoding, preprocessing and post-processing run on the calling thread.
 *
 * <p>Memory per request: the decoded image (3 bytes per pixel), its float copy with the label margin
 * ({@code 12 (H + 372)(W + 372)} bytes), one tile batch, the probabilities at output resolution
 * ({@code 4 C H W} bytes) and the labels ({@code 4 H W} bytes); each graph keeps workspaces as large as one
 * forward pass needs, reused across calls.
 *
 * <p>Threads: the forward passes run on the calling thread and their native code uses ND4J's thread count (every
 * core), or at most {@link SegmenterOptions#nativeThreads} threads when set, so {@code threads} calls at once need at
 * most {@code threads * nativeThreads} cores while the network runs. The limit applies to the calling thread during
 * {@link #infer} only (its previous OpenMP setting is restored afterwards); decoding and post-processing, and
 * process-wide pools (OpenBLAS, OpenCV), are not covered (see {@link SegmenterOptions.Builder#nativeThreads}).
 */
public final class Segmenter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Segmenter.class);

    private final SegmentationModel model;
    private final SegmenterOptions options;
    private final ImageSegmenter pipeline;
    private final BlockingQueue<ComputationGraph> graphs;
    private final List<ComputationGraph> ownGraphs = new ArrayList<>();
    private volatile boolean closed;

    Segmenter(SegmentationModel model, SegmenterOptions options) throws InvalidInputException {
        this.model = model;
        this.options = options;
        DatasetSpec dataset = options.dataset() != null ? options.dataset()
                : model.metadata().datasetSpec().orElseThrow(() -> new InvalidInputException("Model "
                        + model.metadata().name() + " carries no dataset fields (mean, margin, zoom, palette): give "
                        + "a preset (--preset NAME on the command line, SegmenterOptions.dataset(...) in Java), or "
                        + "convert it with --preset."));
        this.graphs = new ArrayBlockingQueue<>(options.threads());
        Precision precision = null;
        if (options.precision() != null) {
            options.precision().fallbackMessage().ifPresent(LOG::warn); // once, not per graph
            precision = options.precision().onThisCpu();
        }
        // Copies only, never the model's own graph, so SegmentationModel.forward stays safe to call alongside.
        for (int i = 0; i < options.threads(); i++) {
            ComputationGraph copy = new ComputationGraph(model.graph().getConfiguration().clone());
            copy.init(model.graph().params(), false);
            if (options.convolution() != null) {
                options.convolution().applyTo(copy);
            }
            if (precision != null) {
                precision.applyTo(copy);
            }
            ownGraphs.add(copy);
            graphs.add(copy);
        }
        int tileBatch = options.tileBatchChosen() ? options.tileBatch()
                : ai.dilation4j.runtime.device.TileBatchPlanner.forCurrentBackend(model::vertices, options.threads());
        this.pipeline = new ImageSegmenter(model.metadata(), dataset, this::runTiles, tileBatch, options.limits());
    }

    public SegmenterOptions options() {
        return options;
    }

    public DatasetSpec dataset() {
        return pipeline.dataset();
    }

    public SegmentationResult segment(Path file) throws DilationException {
        checkOpen();
        return run(pipeline.prepare(file));
    }

    /** Segments an encoded image (PNG, JPEG, ...); {@code name} appears in messages and the result. */
    public SegmentationResult segment(String name, byte[] encoded) throws DilationException {
        checkOpen();
        return run(pipeline.prepare(name, encoded));
    }

    public SegmentationResult segment(byte[] encoded) throws DilationException {
        return segment("encoded image (" + encoded.length + " bytes)", encoded);
    }

    /** Segments a Java image of any type, sub-images included. */
    public SegmentationResult segment(BufferedImage image) throws DilationException {
        checkOpen();
        return run(pipeline.prepare("BufferedImage " + image.getWidth() + "x" + image.getHeight(), image));
    }

    /** Segments an OpenCV image (8-bit BGR, BGRA or gray); the caller keeps ownership of {@code image}. */
    public SegmentationResult segment(Mat image) throws DilationException {
        checkOpen();
        return run(pipeline.prepare("Mat " + image.cols() + "x" + image.rows(), image));
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("This segmenter is closed");
        }
    }

    private SegmentationResult run(ImageSegmenter.Prepared image) throws DilationException {
        try (ImageSegmenter.Prepared prepared = image) {
            return finish(infer(prepared));
        }
    }

    /**
     * The first of the three stages of {@link #segment(Path)}, for callers that overlap them across images (the
     * {@code segment} command decodes the next image and writes the previous one while the network runs): decodes
     * and preprocesses an image file within the limits. Close the result when done with it.
     */
    public ImageSegmenter.Prepared prepare(Path file) throws InvalidInputException {
        checkOpen();
        return pipeline.prepare(file);
    }

    /** {@link #prepare(Path)} for an encoded image (PNG, JPEG, ...); {@code name} appears in messages and the result. */
    public ImageSegmenter.Prepared prepare(String name, byte[] encoded) throws InvalidInputException {
        checkOpen();
        return pipeline.prepare(name, encoded);
    }

    /**
     * The second stage: runs the network on every tile of a prepared image, on one of this segmenter's graphs, on the
     * calling thread ({@link SegmenterOptions#nativeThreads} applies to this stage: the forward passes, the tiles'
     * copies and the stitching).
     */
    public ImageSegmenter.Inferred infer(ImageSegmenter.Prepared prepared) throws DilationException {
        checkOpen();
        // the tiles' copies and the stitching too: ND4J ops, which would use every core
        try (NativeThreads.Scope limit = nativeThreadLimit()) {
            return pipeline.infer(prepared);
        }
    }

    /** The last stage: the probabilities at the configured resolution and the labels. */
    public SegmentationResult finish(ImageSegmenter.Inferred inferred) {
        return options.outputResolution() == SegmenterOptions.OutputResolution.IMAGE
                ? pipeline.finish(inferred) : pipeline.finishAtNetworkResolution(inferred);
    }

    private INDArray runTiles(INDArray tiles) throws DilationException {
        ComputationGraph graph;
        try {
            graph = graphs.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SegmentationCancelledException("Segmentation was cancelled while waiting for a free network.");
        }
        try {
            return graph.outputSingle(false, tiles);
        } finally {
            graphs.add(graph);
        }
    }

    /** The {@link SegmenterOptions#nativeThreads} limit on the calling thread, or null (nothing to close) if unset. */
    private NativeThreads.Scope nativeThreadLimit() {
        return options.nativeThreads().isPresent() ? NativeThreads.limit(options.nativeThreads().getAsInt()) : null;
    }

    /**
     * Stops accepting work and drops the extra graphs; the model stays open (close it separately). The extra graphs
     * are not {@code close()}d: that would free the parameter array they share with the model.
     */
    @Override
    public void close() {
        closed = true;
        ownGraphs.clear();
        graphs.clear();
    }

    SegmentationModel model() {
        return model;
    }
}
