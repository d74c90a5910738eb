package ai.dilation4j.runtime.segment;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.opencv.opencv_core.Mat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.DilationException;
import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.ModelMetadata;
import ai.dilation4j.runtime.SegmentationCancelledException;
import ai.dilation4j.runtime.image.DecodedImage;
import ai.dilation4j.runtime.image.ImageDecoder;
import ai.dilation4j.runtime.image.ImageLimits;
import ai.dilation4j.runtime.image.ImageTooLargeException;

/**
 * Segments images with a converted model exactly as fyu/dilation's predict.py does: preprocessing and tiling
 * ({@link TileExtractor}), one forward pass per tile, stitching, upsampling by the dataset's zoom
 * ({@link ProbabilityMap}) and argmax. The three stages are separate methods so a caller can overlap them across
 * images ({@link #prepare}, {@link #infer}, {@link #finish}). Callers use it through {@link ai.dilation4j.runtime.model.Segmenter}, the one way in.
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
    private final ImageLimits limits;
    private final int inputHeight;
    private final int inputWidth;

    /**
     * @param metadata  the model's metadata (input size, classes)
     * @param dataset   mean, margin, zoom, palette to use
     * @param runner    runs the network; called from the thread calling {@link #infer}
     * @param tileBatch tiles per network call (1 or more)
     * @param limits    what one image may cost, checked before it is decoded
     */
    public ImageSegmenter(ModelMetadata metadata, DatasetSpec dataset, TileRunner runner, int tileBatch,
                          ImageLimits limits) throws InvalidInputException {
        this.metadata = metadata;
        this.dataset = dataset;
        this.runner = runner;
        this.tileBatch = Math.max(1, tileBatch);
        this.limits = limits;
        long[] shape = metadata.inputShape();
        if (shape[2] * shape[3] * 3 > Integer.MAX_VALUE) {
            throw new InvalidInputException("Model " + metadata.name() + " takes " + shape[2] + "x" + shape[3]
                    + " input tiles: one tile alone would hold " + shape[2] * shape[3] * 3
                    + " values, more than a tile can (2^31 - 1). Convert the model with its deploy input size "
                    + "(e.g. 900x900 for DilatedNet-8).");
        }
        this.inputHeight = (int) shape[2];
        this.inputWidth = (int) shape[3];
        if (dataset.numClasses() != metadata.numClasses()) {
            throw new InvalidInputException("Dataset " + dataset.name() + " has " + dataset.numClasses()
                    + " classes but model " + metadata.name() + " outputs " + metadata.numClasses()
                    + "; use the dataset the model was trained on.");
        }
        if (inputHeight - 2 * dataset.labelMargin() < 1 || inputWidth - 2 * dataset.labelMargin() < 1) {
            throw new InvalidInputException("Model " + metadata.name() + " takes " + inputHeight + "x" + inputWidth
                    + " tiles, which leave no output inside dataset " + dataset.name() + "'s label margin of "
                    + dataset.labelMargin() + " on each side; use the preset the model was trained for.");
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

    public ImageLimits limits() {
        return limits;
    }

    /** Decodes and preprocesses an image file, after checking its declared size against the limits. */
    public Prepared prepare(Path file) throws InvalidInputException {
        long start = System.nanoTime();
        return prepare(ImageDecoder.decode(file, limits.maxEncodedBytes(), this::checkWork), start);
    }

    /** Decodes and preprocesses an encoded image (PNG, JPEG, ...); {@code name} appears in messages. */
    public Prepared prepare(String name, byte[] encoded) throws InvalidInputException {
        long start = System.nanoTime();
        return prepare(ImageDecoder.decode(name, encoded, limits.maxEncodedBytes(), this::checkWork), start);
    }

    public Prepared prepare(String name, BufferedImage image) throws InvalidInputException {
        long start = System.nanoTime();
        return prepare(ImageDecoder.decode(name, image, this::checkWork), start);
    }

    /** Copies and preprocesses an OpenCV image (8-bit BGR, BGRA or gray); the caller keeps {@code image}. */
    public Prepared prepare(String name, Mat image) throws InvalidInputException {
        long start = System.nanoTime();
        return prepare(ImageDecoder.decode(name, image, this::checkWork), start);
    }

    private Prepared prepare(DecodedImage image, long decodeStart) {
        long start = System.nanoTime();
        Prepared prepared;
        try {
            prepared = new Prepared(image, new TileExtractor(image, dataset, inputHeight, inputWidth));
        } catch (RuntimeException e) {
            image.close();
            throw e;
        }
        prepared.timings.put("decode", (start - decodeStart) / 1e6);
        prepared.timings.put("preprocess", millisSince(start));
        return prepared;
    }

    /**
     * The work an image of this size costs: its pixels and aspect ratio (the limits' own checks) and the number of
     * network tiles predict.py's tiling needs once the label margin is added. Checked on the declared size and
     * again on the decoded one, which EXIF orientation may have turned (bounded by the pixel limit either way).
     */
    public void checkWork(String name, long width, long height) throws ImageTooLargeException {
        limits.checkSize(name, width, height);
        long tiles = tilesFor(width, height);
        if (tiles > limits.maxTiles()) {
            throw new ImageTooLargeException("Image " + name + " is " + width + "x" + height + " and needs "
                    + tiles + " network tiles of " + inputHeight + "x" + inputWidth
                    + " (label margin " + dataset.labelMargin() + "), more than the limit of "
                    + limits.maxTiles() + ". Scale it down, or raise the tile limit.");
        }
    }

    private long tilesFor(long width, long height) {
        long outputHeight = inputHeight - 2L * dataset.labelMargin();
        long outputWidth = inputWidth - 2L * dataset.labelMargin();
        return ceilDiv(height, outputHeight) * ceilDiv(width, outputWidth);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
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
            if (stitched == null) {
                stitched = ProbabilityMap.empty((int) outputs.size(1), h * layout.tilesDown(), w * layout.tilesAcross());
            }
            for (int i = 0; i < count; i++) {
                int tile = first + i;
                stitched.place(outputs.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all(), NDArrayIndex.all(),
                        NDArrayIndex.all()), tile / layout.tilesAcross() * h, tile % layout.tilesAcross() * w);
            }
        }
        checkCoverage(stitched, prepared);
        return new Inferred(prepared, stitched, millisSince(start));
    }

    /** Cancellation point between network calls: a tile takes seconds, a whole image can take minutes. */
    private static void stopIfInterrupted(String image, int tilesDone, int tiles) throws SegmentationCancelledException {
        if (Thread.currentThread().isInterrupted()) {
            throw new SegmentationCancelledException("Segmentation of " + image + " was cancelled after " + tilesDone
                    + " of " + tiles + " tiles.");
        }
    }

    /**
     * predict.py concatenates whatever each tile outputs and zooms the whole map to the image size, reading row
     * {@code y / zoom} (and the one after it) for image row {@code y}; the map must reach the last image row and
     * column, or predict.py itself fails. Maps of other sizes than {@code (input - 2 margin) / zoom} per tile
     * are used as predict.py uses them.
     */
    private void checkCoverage(ProbabilityMap stitched, Prepared prepared) throws InvalidInputException {
        DecodedImage image = prepared.image();
        TileLayout layout = prepared.layout();
        int zoom = dataset.zoom();
        long neededRows = ceilDiv(image.height(), zoom);
        long neededColumns = ceilDiv(image.width(), zoom);
        if (stitched.height() < neededRows || stitched.width() < neededColumns) {
            throw new InvalidInputException("Model " + metadata.name() + " outputs "
                    + stitched.height() / layout.tilesDown() + "x" + stitched.width() / layout.tilesAcross() + " per "
                    + inputHeight + "x" + inputWidth + " tile, " + stitched.height() + "x" + stitched.width()
                    + " for image " + image.name() + ", but zoom " + zoom + " over its " + image.height() + "x"
                    + image.width() + " pixels needs at least " + neededRows + "x" + neededColumns
                    + ". Use the preset the model was trained for.");
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

    private static double millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }
}
