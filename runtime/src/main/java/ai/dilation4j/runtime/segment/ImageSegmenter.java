package ai.dilation4j.runtime.segment;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import ai.dilation4j.models.DatasetSpec;
import ai.dilation4j.runtime.DilationException;
import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.ModelMetadata;
import ai.dilation4j.runtime.SegmentationCancelledException;
import ai.dilation4j.runtime.SegmentationModel;
import ai.dilation4j.runtime.device.TileBatchPlanner;

/**
 * Segments images with a converted model exactly as fyu/dilation's predict.py does: preprocessing and tiling
 * ({@link TileExtractor}), one forward pass per tile, stitching, upsampling by the dataset's zoom
 * ({@link ProbabilityMap}) and argmax. The three stages are separate methods so a caller can overlap them across
 * images ({@link #prepare}, {@link #infer}, {@link #finish}); {@link #segment(Path)} runs them in a row.
 */
public final class ImageSegmenter {

    /** Runs the network on a batch of tiles {@code [N, 3, H, W]}, returning {@code [N, C, h, w]}. */
    @FunctionalInterface
    public interface TileRunner {
        INDArray run(INDArray tiles) throws DilationException;
    }

    private final ModelMetadata metadata;
    private final DatasetSpec dataset;
    private final TileRunner runner;
    private final int tileBatch;
    private final int inputHeight;
    private final int inputWidth;

    /** Uses the dataset fields stored in the model (convert with {@code --preset}). */
    public ImageSegmenter(SegmentationModel model) throws InvalidInputException {
        this(model, model.metadata().datasetSpec().orElseThrow(() -> new InvalidInputException("Model "
                + model.metadata().name() + " carries no dataset fields (mean, margin, zoom, palette). Convert it "
                + "with --preset, or give a preset when segmenting.")));
    }

    public ImageSegmenter(SegmentationModel model, DatasetSpec dataset) throws InvalidInputException {
        // One tile per call on the CPU; on a GPU as many as fit in free device memory.
        this(model.metadata(), dataset, model::forward, TileBatchPlanner.forCurrentBackend(model, 1));
    }

    /**
     * @param metadata  the model's metadata (input size, classes)
     * @param dataset   mean, margin, zoom, palette to use
     * @param runner    runs the network; called from the thread calling {@link #infer}
     * @param tileBatch tiles per network call (1 or more)
     */
    public ImageSegmenter(ModelMetadata metadata, DatasetSpec dataset, TileRunner runner, int tileBatch)
            throws InvalidInputException {
        this.metadata = metadata;
        this.dataset = dataset;
        this.runner = runner;
        this.tileBatch = Math.max(1, tileBatch);
        long[] shape = metadata.inputShape();
        this.inputHeight = (int) shape[2];
        this.inputWidth = (int) shape[3];
        if (dataset.numClasses() != metadata.numClasses()) {
            throw new InvalidInputException("Dataset " + dataset.name() + " has " + dataset.numClasses()
                    + " classes but model " + metadata.name() + " outputs " + metadata.numClasses()
                    + "; use the dataset the model was trained on.");
        }
    }

    public DatasetSpec dataset() {
        return dataset;
    }

    /** An image decoded and preprocessed, ready for {@link #infer}. Owns native memory: close it. */
    public static final class Prepared implements AutoCloseable {
        private final DecodedImage image;
        private final TileExtractor tiles;
        private final Map<String, Double> timings = new LinkedHashMap<>();

        private Prepared(DecodedImage image, TileExtractor tiles) {
            this.image = image;
            this.tiles = tiles;
        }

        public DecodedImage image() {
            return image;
        }

        public TileLayout layout() {
            return tiles.layout();
        }

        @Override
        public void close() {
            tiles.close();
            image.close();
        }
    }

    /** The stitched network outputs of a prepared image, ready for {@link #finish}. */
    public record Inferred(Prepared prepared, ProbabilityMap stitched, double forwardMs) {
    }

    public Prepared prepare(Path file) throws InvalidInputException {
        long start = System.nanoTime();
        DecodedImage image = ImageDecoder.decode(file);
        return prepare(image, millisSince(start));
    }

    /** Preprocesses a decoded image; the returned object takes ownership of it. */
    public Prepared prepare(DecodedImage image) {
        return prepare(image, 0);
    }

    private Prepared prepare(DecodedImage image, double decodeMs) {
        long start = System.nanoTime();
        Prepared prepared = new Prepared(image, new TileExtractor(image, dataset, inputHeight, inputWidth));
        prepared.timings.put("decode", decodeMs);
        prepared.timings.put("preprocess", millisSince(start));
        return prepared;
    }

    /** Runs the network on every tile, {@code tileBatch} tiles per call, and stitches the outputs. */
    public Inferred infer(Prepared prepared) throws DilationException {
        long start = System.nanoTime();
        TileLayout layout = prepared.layout();
        ProbabilityMap stitched = null;
        for (int first = 0; first < layout.tiles(); first += tileBatch) {
            stopIfInterrupted(prepared.image().name(), first, layout.tiles());
            int count = Math.min(tileBatch, layout.tiles() - first);
            INDArray[] tiles = new INDArray[count];
            for (int i = 0; i < count; i++) {
                tiles[i] = prepared.tiles.tile((first + i) / layout.tilesAcross(), (first + i) % layout.tilesAcross());
            }
            INDArray outputs = runner.run(count == 1 ? tiles[0] : Nd4j.concat(0, tiles));
            int h = (int) outputs.size(2);
            int w = (int) outputs.size(3);
            checkTileOutput(outputs, layout);
            if (stitched == null) {
                stitched = ProbabilityMap.empty((int) outputs.size(1), h * layout.tilesDown(), w * layout.tilesAcross());
            }
            for (int i = 0; i < count; i++) {
                int tile = first + i;
                stitched.place(outputs.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all(), NDArrayIndex.all(),
                        NDArrayIndex.all()), tile / layout.tilesAcross() * h, tile % layout.tilesAcross() * w);
            }
        }
        return new Inferred(prepared, stitched, millisSince(start));
    }

    /** Cancellation point between network calls: a tile takes seconds, a whole image can take minutes. */
    private static void stopIfInterrupted(String image, int tilesDone, int tiles) throws SegmentationCancelledException {
        if (Thread.currentThread().isInterrupted()) {
            throw new SegmentationCancelledException("Segmentation of " + image + " was cancelled after " + tilesDone
                    + " of " + tiles + " tiles.");
        }
    }

    private void checkTileOutput(INDArray output, TileLayout layout) throws InvalidInputException {
        long h = output.size(2);
        long w = output.size(3);
        if (h * dataset.zoom() != layout.outputHeight() || w * dataset.zoom() != layout.outputWidth()) {
            throw new InvalidInputException("Model " + metadata.name() + " outputs " + h + "x" + w + " per "
                    + inputHeight + "x" + inputWidth + " tile, but a label margin of " + dataset.labelMargin()
                    + " and zoom " + dataset.zoom() + " need " + layout.outputHeight() / (double) dataset.zoom() + "x"
                    + layout.outputWidth() / (double) dataset.zoom() + " (output " + Arrays.toString(output.shape())
                    + "). Use the preset the model was trained for.");
        }
    }

    /** Brings the stitched outputs to image size and takes the per-pixel argmax. */
    public SegmentationResult finish(Inferred inferred) {
        long start = System.nanoTime();
        DecodedImage image = inferred.prepared().image();
        return labelled(inferred, inferred.stitched().toImageSize(dataset.zoom(), image.height(), image.width()), start);
    }

    /**
     * Like {@link #finish}, but at the network's output resolution: the stitched map cropped to
     * {@code ceil(H / zoom) x ceil(W / zoom)}, without upsampling.
     */
    public SegmentationResult finishAtNetworkResolution(Inferred inferred) {
        long start = System.nanoTime();
        DecodedImage image = inferred.prepared().image();
        int zoom = dataset.zoom();
        return labelled(inferred, inferred.stitched().toImageSize(1, (image.height() + zoom - 1) / zoom,
                (image.width() + zoom - 1) / zoom), start);
    }

    private SegmentationResult labelled(Inferred inferred, ProbabilityMap probabilities, long startNanos) {
        Prepared prepared = inferred.prepared();
        int[] labels = probabilities.argmax();
        Map<String, Double> timings = new LinkedHashMap<>(prepared.timings);
        timings.put("forward", inferred.forwardMs());
        timings.put("postprocess", millisSince(startNanos));
        return new SegmentationResult(prepared.image().name(), dataset, labels, probabilities,
                prepared.image().conversions(), prepared.layout().tiles(), timings);
    }

    /** Decodes, preprocesses, runs and post-processes one image file. */
    public SegmentationResult segment(Path file) throws DilationException {
        try (Prepared prepared = prepare(file)) {
            return finish(infer(prepared));
        }
    }

    private static double millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }
}
