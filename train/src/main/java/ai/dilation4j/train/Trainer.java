package ai.dilation4j.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.SplittableRandom;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.DilationException;
import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.ModelFileException;
import ai.dilation4j.runtime.ModelMetadata;
import ai.dilation4j.runtime.evaluate.ConfusionMatrix;
import ai.dilation4j.runtime.model.ModelFile;
import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.runtime.model.Segmenter;
import ai.dilation4j.runtime.model.SegmenterOptions;
import ai.dilation4j.train.data.CropSampler;
import ai.dilation4j.train.data.LabelledDataset;

/**
 * Fine-tunes a converted DilatedNet on labelled images with fyu/dilation's training semantics ({@link CropSampler},
 * {@link TrainingOptions}): per-pixel softmax cross-entropy over the labelled pixels (label
 * {@link LabelledDataset#IGNORE} left out, the loss averaged over the pixels that count, as Caffe's VALID
 * normalisation does), validation mean IoU after every epoch, atomic checkpoints, and the result written as an
 * ordinary dilation4j model file whose metadata carries the new classes and palette.
 *
 * <pre>{@code
 * TrainingOptions options = TrainingOptions.builder().model(Path.of("pascal_voc.zip"))
 *         .images(Path.of("images")).labels(Path.of("labels")).iterations(2000).output(Path.of("tuned.zip")).build();
 * try (Trainer trainer = Trainer.open(options)) {
 *     TrainingSummary summary = trainer.train(progress -> System.err.println(progress.loss()));
 * }
 * }</pre>
 *
 * <p>Every iteration's crops depend only on the seed and the iteration number, and the optimizer state is
 * checkpointed, so a run resumed from a checkpoint repeats the uninterrupted run. A trainer holds no static state;
 * {@link #requestStop()} (from any thread) makes {@link #train} write a checkpoint and return.
 */
public final class Trainer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    private final TrainingOptions options;
    private final Checkpoint.State start;
    private final ModelMetadata metadata;
    private final DatasetSpec dataset;
    private final LabelledDataset training;
    private final LabelledDataset validation;
    private final CropSampler sampler;
    private final TrainableNetwork network;
    private volatile boolean stopRequested;
    private int[] epochOrder;
    private long epochOfOrder = -1;

    private Trainer(TrainingOptions options, Checkpoint.State start, ModelMetadata metadata, LabelledDataset training,
                    LabelledDataset validation, CropSampler sampler, TrainableNetwork network) {
        this.options = options;
        this.start = start;
        this.metadata = metadata;
        this.dataset = metadata.dataset();
        this.training = training;
        this.validation = validation;
        this.sampler = sampler;
        this.network = network;
    }

    /**
     * Loads the model (or the checkpoint to resume), checks every training and validation pair, and prepares the
     * networks. Nothing is written until {@link #train} runs.
     *
     * @throws InvalidInputException if a data file is bad (named), the crop does not fit the model, or the model cannot
     *                               be trained this way
     * @throws ModelFileException    if the model or checkpoint cannot be read
     */
    public static Trainer open(TrainingOptions options) throws DilationException {
        Objects.requireNonNull(options, "options");
        Path source = options.resume().or(options::model).orElseThrow();
        ModelMetadata pretrained = ModelFile.readMetadata(source);
        DatasetSpec base = pretrained.datasetSpec().orElseThrow(() -> new InvalidInputException("Model " + source
                + " carries no dataset fields (mean, label margin, zoom); convert it with --preset NAME to train it."));
        Checkpoint.State resumed = options.resume().isPresent() ? Checkpoint.readState(source) : null;
        DatasetSpec trainedSpec = trainedDataset(base, pretrained, options, resumed != null, source);
        Checkpoint.State state = resumed != null ? resumed : new Checkpoint.State(Checkpoint.FORMAT_VERSION, 0,
                options.freeze(), options.batch(), options.crop().orElse(defaultCrop(base)), options.learningRate(),
                options.learningRateStep(), options.seed());
        if (resumed != null) {
            LOG.info("Resuming {} at iteration {} (freeze {}, batch {}, crop {}, lr {}, seed {} from the checkpoint)",
                    source, resumed.iteration(), resumed.freeze(), resumed.batch(), resumed.crop(),
                    resumed.learningRate(), resumed.seed());
        }
        if (state.iteration() >= options.iterations()) {
            throw new InvalidInputException("Checkpoint " + source + " is at iteration " + state.iteration()
                    + "; ask for more iterations than that (--iterations) to continue it.");
        }
        CropSampler sampler = new CropSampler(base, state.crop());
        checkBatchSize(state, options);
        int classes = trainedSpec.numClasses();
        LabelledDataset training = open(options.images(), options.labels(), classes, options);
        LabelledDataset validation = options.validationImages().isPresent()
                ? open(options.validationImages().get(), options.validationLabels().orElseThrow(), classes, options)
                : null;

        ModelMetadata metadata = withDataset(pretrained, trainedSpec, resumed != null);
        ComputationGraph graph = ModelFile.readGraph(source, pretrained);
        TrainableNetwork network;
        try {
            network = TrainableNetwork.of(graph, source.toString(), classes, state.freeze(), state.learningRate(),
                    state.learningRateStep(), state.seed());
        } catch (InvalidInputException e) { // refused before the network took the graph over
            graph.close();
            throw e;
        }
        Trainer trainer = new Trainer(options, state, metadata, training, validation, sampler, network);
        try {
            trainer.checkGeometry();
            if (resumed != null) {
                trainer.restoreOptimizer(source);
            }
        } catch (DilationException | RuntimeException e) {
            trainer.close();
            throw e;
        }
        return trainer;
    }

    private static LabelledDataset open(Path images, Path labels, int classes, TrainingOptions options)
            throws InvalidInputException {
        try {
            return LabelledDataset.open(images, labels, classes, options.limits());
        } catch (IOException e) {
            throw new InvalidInputException("Cannot list " + images + " or " + labels + ": " + e.getMessage(), e);
        }
    }

    /** A batch of crops is one Java array and is checked against the pixel limit before anything is allocated. */
    private static void checkBatchSize(Checkpoint.State state, TrainingOptions options) throws InvalidInputException {
        long pixels = (long) state.crop() * state.crop();
        if (pixels > options.limits().maxPixels() || 3 * pixels * state.batch() > Integer.MAX_VALUE - 8) {
            throw new InvalidInputException("A batch of " + state.batch() + " crops of " + state.crop() + "x"
                    + state.crop() + " pixels is more than one iteration can hold (at most "
                    + options.limits().maxPixels() + " pixels per crop, " + (Integer.MAX_VALUE / 3)
                    + " pixels per batch); give a smaller --crop or --batch.");
        }
    }

    /** The smallest crop of at least {@value TrainingOptions#PREFERRED_CROP} that keeps the output grid aligned. */
    static int defaultCrop(DatasetSpec dataset) {
        int margin = dataset.labelMargin();
        int zoom = dataset.zoom();
        int cells = Math.max(1, (TrainingOptions.PREFERRED_CROP - 2 * margin + zoom - 1) / zoom);
        return 2 * margin + zoom * cells;
    }

    /** The dataset fields the trained model will carry: the model's, with the classes and palette asked for. */
    private static DatasetSpec trainedDataset(DatasetSpec base, ModelMetadata model, TrainingOptions options,
                                              boolean resuming, Path source) throws InvalidInputException {
        if (options.classNames().isEmpty()) {
            if (options.palette().isPresent() && options.palette().get().size() != base.numClasses()) {
                throw new InvalidInputException("The palette has " + options.palette().get().size() + " colors but "
                        + source + " has " + base.numClasses() + " classes; give --classes for new classes.");
            }
            return new DatasetSpec(base.name(), base.classNames(), options.palette().orElse(base.palette()),
                    base.meanBgr(), base.labelMargin(), base.zoom());
        }
        List<String> names = options.classNames().get();
        if (resuming && !names.equals(base.classNames())) {
            throw new InvalidInputException("Checkpoint " + source + " trains the classes " + base.classNames()
                    + "; a resumed run keeps them (leave --classes out).");
        }
        List<int[]> palette = options.palette().orElseGet(() -> names.size() == base.numClasses() ? base.palette()
                : Palettes.generated(names.size()));
        return new DatasetSpec(base.name(), names, palette, base.meanBgr(), base.labelMargin(), base.zoom());
    }

    private static ModelMetadata withDataset(ModelMetadata model, DatasetSpec dataset, boolean resuming) {
        boolean sameData = dataset.equals(model.dataset());
        return new ModelMetadata(ModelMetadata.FORMAT_VERSION, model.name(), model.inputBlob(), model.inputShape(),
                model.outputBlob(), dataset.numClasses(), model.blobVertices(), model.sources(),
                sameData || resuming ? model.preset() : null, dataset, model.converterVersion());
    }

    private void checkGeometry() throws InvalidInputException {
        long[] out = network.outputSize(sampler.crop());
        if (out[0] != sampler.outputSize() || out[1] != sampler.outputSize()) {
            throw new InvalidInputException("For a " + sampler.crop() + "x" + sampler.crop() + " crop the network "
                    + "gives a " + out[0] + "x" + out[1] + " output, but its label margin " + dataset.labelMargin()
                    + " and zoom " + dataset.zoom() + " say " + sampler.outputSize() + "x" + sampler.outputSize()
                    + "; the model's dataset fields do not match its layers (convert it with the right preset).");
        }
    }

    private void restoreOptimizer(Path checkpoint) throws ModelFileException {
        ComputationGraph trainable = network.trainable();
        INDArray state = trainable.getUpdater(true).getStateViewArray();
        long length = state == null ? 0 : state.length();
        INDArray saved = Checkpoint.readUpdaterState(checkpoint, length);
        if (state != null) {
            state.assign(saved.reshape(state.shape()));
        }
        trainable.getConfiguration().setIterationCount(start.iteration());
    }

    /** The dataset fields of the model being trained (the new classes and palette). */
    public DatasetSpec dataset() {
        return dataset;
    }

    /** Iterations done before this run (non-zero when resuming). */
    public int startIteration() {
        return start.iteration();
    }

    /** True if the final classifier layer is new (initialised as fyu's filler does) because the classes changed. */
    public boolean freshFinalLayer() {
        return network.freshFinalLayer();
    }

    /**
     * Asks {@link #train} to stop before its next iteration, write a checkpoint and return. Safe from any thread.
     * Interrupting the training thread does the same (its interrupt flag stays set).
     */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Trains up to the options' iteration count, writing a checkpoint every {@link TrainingOptions#checkpointEvery()}
     * iterations and the output model at the end (the checkpoint is then removed: the output holds the same state
     * and can be resumed with more iterations).
     */
    public TrainingSummary train(TrainingListener listener) throws DilationException {
        Objects.requireNonNull(listener, "listener");
        ComputationGraph trainable = network.trainable();
        int iterations = options.iterations();
        int perEpoch = Math.max(1, (training.size() + start.batch() - 1) / start.batch());
        List<Double> losses = new ArrayList<>();
        OptionalDouble meanIou = OptionalDouble.empty();
        long startNanos = System.nanoTime();
        boolean validatedLast = false;
        if (validation != null && start.iteration() == 0) {
            meanIou = OptionalDouble.of(validate(0, 0, listener)); // the baseline the epochs are compared with
        }
        for (int iteration = start.iteration(); iteration < iterations; iteration++) {
            if (stopRequested || Thread.currentThread().isInterrupted()) {
                // Interruptible channels close when an interrupted thread uses them: write with the flag clear, then restore it.
                boolean interrupted = Thread.interrupted();
                try {
                    writeCheckpoint(iteration, options.checkpoint(), listener);
                } finally {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
                return new TrainingSummary(iteration, false, options.checkpoint(), losses, meanIou);
            }
            Batch batch = batch(iteration);
            INDArray features = network.trainableInput(batch.crops());
            double regularization = trainable.calcRegularizationScore(true);
            try {
                trainable.fit(new MultiDataSet(new INDArray[] {features}, new INDArray[] {batch.labels()}, null,
                        new INDArray[] {batch.mask()}));
            } catch (UnsupportedOperationException e) {
                // a vertex without a backward pass (DL4J's and dilation4j's own all have one; a custom one may not)
                throw new InvalidInputException("This model cannot be trained with --freeze " + start.freeze()
                        .name().toLowerCase(java.util.Locale.ROOT) + ": " + e.getMessage() + ". Freeze the part "
                        + "that holds it (--freeze frontend trains the context module only).", e);
            }
            double loss = trainable.score() - regularization;
            losses.add(loss);
            int done = iteration + 1;
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            double imagesPerSecond = (double) (done - start.iteration()) * start.batch() / seconds;
            Duration remaining = Duration.ofMillis((long) ((iterations - done) * (double) start.batch()
                    / imagesPerSecond * 1000));
            listener.iterationDone(new TrainingProgress(done, iterations, loss, learningRate(iteration),
                    imagesPerSecond, remaining));
            validatedLast = false;
            if (validation != null && done % perEpoch == 0) {
                meanIou = OptionalDouble.of(validate(done / perEpoch, done, listener));
                validatedLast = true;
            }
            if (done % options.checkpointEvery() == 0 && done < iterations) {
                writeCheckpoint(done, options.checkpoint(), listener);
            }
        }
        if (validation != null && !validatedLast) {
            meanIou = OptionalDouble.of(validate((iterations + perEpoch - 1) / perEpoch, iterations, listener));
        }
        writeCheckpoint(iterations, options.output(), listener);
        try {
            Files.deleteIfExists(options.checkpoint());
        } catch (IOException e) {
            LOG.warn("Cannot remove the checkpoint {} ({}); the output {} holds the same state", options.checkpoint(),
                    e.getMessage(), options.output());
        }
        return new TrainingSummary(iterations, true, options.output(), losses, meanIou);
    }

    private double learningRate(int iteration) {
        return TrainableNetwork.schedule(start.learningRate(), start.learningRateStep()).valueAt(iteration, 0);
    }

    private void writeCheckpoint(int iteration, Path target, TrainingListener listener) throws ModelFileException {
        network.syncModel();
        INDArray updater = network.trainable().getUpdater(true).getStateViewArray();
        Checkpoint.State state = new Checkpoint.State(Checkpoint.FORMAT_VERSION, iteration, start.freeze(),
                start.batch(), start.crop(), start.learningRate(), start.learningRateStep(), start.seed());
        Checkpoint.write(network.model(), metadata, state, updater == null ? Nd4j.empty() : updater, target);
        listener.checkpointWritten(target, iteration);
    }

    /** Segments every validation image with the model as trained so far and scores it. */
    private double validate(int epoch, int iteration, TrainingListener listener) throws DilationException {
        network.syncModel();
        ConfusionMatrix scores = new ConfusionMatrix(dataset.numClasses());
        SegmentationModel model = SegmentationModel.of(network.model(), metadata); // not closed: the graph stays
        try (Segmenter segmenter = model.segmenter(SegmenterOptions.builder().threads(1).limits(options.limits())
                .build())) {
            for (int i = 0; i < validation.size(); i++) {
                LabelledDataset.Pair pair = validation.pairs().get(i);
                try (LabelledDataset.Example example = validation.read(i)) {
                    int[] predicted = segmenter.segment(example.image().bgr()).labels();
                    scores.add(example.label(), predicted, LabelledDataset.IGNORE);
                } catch (IllegalArgumentException e) {
                    throw new InvalidInputException("Validation pair " + pair.image() + ": " + e.getMessage(), e);
                }
            }
        }
        listener.validated(epoch, iteration, scores);
        return scores.meanIou();
    }

    /** The crops of one iteration and their labels as the loss layer takes them. */
    private record Batch(INDArray crops, INDArray labels, INDArray mask) {
    }

    /**
     * Iteration {@code iteration}'s crops: the images of a shuffled epoch order (a new order every epoch), each cropped
     * with a generator seeded by the seed and the iteration only, so any iteration can be redone exactly.
     */
    private Batch batch(int iteration) throws InvalidInputException {
        int size = start.batch();
        int crop = sampler.crop();
        int cells = sampler.outputSize() * sampler.outputSize();
        int classes = dataset.numClasses();
        float[] crops = new float[size * 3 * crop * crop];
        float[] oneHot = new float[size * classes * cells];
        int[] labels = new int[size * cells];
        SplittableRandom random = new SplittableRandom(mix(start.seed(), iteration));
        for (int b = 0; b < size; b++) {
            long position = (long) iteration * size + b;
            int index = order(position / training.size())[(int) (position % training.size())];
            try (LabelledDataset.Example example = training.read(index)) {
                CropSampler.Sample sample = sampler.sample(example, random);
                System.arraycopy(sample.image(), 0, crops, b * 3 * crop * crop, 3 * crop * crop);
                System.arraycopy(sample.labels(), 0, labels, b * cells, cells);
            }
        }
        int valid = 0;
        for (int label : labels) {
            valid += label == LabelledDataset.IGNORE ? 0 : 1;
        }
        // DL4J divides the masked sum by the minibatch size; weighting each labelled pixel by size / valid makes it
        // the mean over the labelled pixels (Caffe's VALID normalisation; a batch with none contributes nothing).
        float weight = (float) size / Math.max(1, valid);
        float[] mask = new float[size * cells];
        for (int b = 0; b < size; b++) {
            for (int cell = 0; cell < cells; cell++) {
                int label = labels[b * cells + cell];
                if (label != LabelledDataset.IGNORE) {
                    oneHot[(b * classes + label) * cells + cell] = 1;
                    mask[b * cells + cell] = weight;
                }
            }
        }
        int side = sampler.outputSize();
        return new Batch(Nd4j.create(crops, new long[] {size, 3, crop, crop}, 'c'),
                Nd4j.create(oneHot, new long[] {size, classes, side, side}, 'c'),
                Nd4j.create(mask, new long[] {size, 1, side, side}, 'c'));
    }

    /** Epoch {@code epoch}'s order of the training images, shuffled by the seed and the epoch. */
    private int[] order(long epoch) {
        if (epoch != epochOfOrder) {
            int[] order = new int[training.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            SplittableRandom random = new SplittableRandom(mix(start.seed(), -1 - epoch));
            for (int i = order.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int swap = order[i];
                order[i] = order[j];
                order[j] = swap;
            }
            epochOrder = order;
            epochOfOrder = epoch;
        }
        return epochOrder;
    }

    private static long mix(long seed, long stream) {
        return new SplittableRandom(seed).split().nextLong() ^ (stream * 0x9E3779B97F4A7C15L);
    }

    @Override
    public void close() {
        network.close();
    }
}
