package ai.dilation4j.train;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import ai.dilation4j.runtime.image.ImageLimits;
import ai.dilation4j.runtime.io.FileNames;

/**
 * What a {@link Trainer} does; immutable, built with {@link #builder()}. The solver follows fyu/dilation's
 * {@code train.py}: momentum {@value #MOMENTUM} (as Nesterov momentum: DL4J has no plain heavy-ball SGD), L2 weight
 * decay {@value #WEIGHT_DECAY} on the weights (none on biases), biases at twice the learning rate, the learning rate
 * multiplied by {@value #GAMMA} every {@link #learningRateStep()} iterations.
 */
public final class TrainingOptions {

    public static final double MOMENTUM = 0.9;
    public static final double WEIGHT_DECAY = 5e-4;
    public static final double GAMMA = 0.1;
    public static final double BIAS_LEARNING_RATE_FACTOR = 2;
    /** fyu's train.py: the context module's rate, and the joint stage's. */
    public static final double FRONTEND_FROZEN_LEARNING_RATE = 1e-3;
    public static final double NOTHING_FROZEN_LEARNING_RATE = 1e-5;
    /** fyu's train.py steps the rate down every 100,000 iterations. */
    public static final int DEFAULT_LEARNING_RATE_STEP = 100_000;
    /** fyu's default crop: 500 = 2 * 186 + 8 * 16 for DilatedNet-8. */
    public static final int PREFERRED_CROP = 500;

    private final Path model;
    private final Path resume;
    private final Path images;
    private final Path labels;
    private final Path validationImages;
    private final Path validationLabels;
    private final List<String> classNames;
    private final List<int[]> palette;
    private final Freeze freeze;
    private final int iterations;
    private final int batch;
    private final Integer crop;
    private final Double learningRate;
    private final int learningRateStep;
    private final long seed;
    private final int checkpointEvery;
    private final Path checkpoint;
    private final Path output;
    private final ImageLimits limits;

    private TrainingOptions(Builder b) {
        this.model = b.model;
        this.resume = b.resume;
        this.images = Objects.requireNonNull(b.images, "images");
        this.labels = Objects.requireNonNull(b.labels, "labels");
        this.validationImages = b.validationImages;
        this.validationLabels = b.validationLabels;
        this.classNames = b.classNames == null ? null : List.copyOf(b.classNames);
        this.palette = b.palette == null ? null : b.palette.stream().map(int[]::clone).toList();
        this.freeze = b.freeze;
        this.iterations = b.iterations;
        this.batch = b.batch;
        this.crop = b.crop;
        this.learningRate = b.learningRate;
        this.learningRateStep = b.learningRateStep;
        this.seed = b.seed;
        this.checkpointEvery = b.checkpointEvery;
        this.output = Objects.requireNonNull(b.output, "output");
        this.checkpoint = b.checkpoint != null ? b.checkpoint : defaultCheckpoint(output);
        this.limits = b.limits;
    }

    /** {@code tuned.zip} → {@code tuned.checkpoint.zip} next to it. */
    static Path defaultCheckpoint(Path output) {
        String name = output.getFileName().toString();
        String extension = name.substring(FileNames.stem(output).length());
        return output.resolveSibling(FileNames.stem(output) + ".checkpoint" + (extension.isEmpty() ? ".zip" : extension));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The model to start from; empty when resuming (the checkpoint holds the model). */
    public Optional<Path> model() {
        return Optional.ofNullable(model);
    }

    /** A checkpoint (or a model this trainer wrote) to continue from, with its optimizer state and iteration. */
    public Optional<Path> resume() {
        return Optional.ofNullable(resume);
    }

    public Path images() {
        return images;
    }

    public Path labels() {
        return labels;
    }

    public Optional<Path> validationImages() {
        return Optional.ofNullable(validationImages);
    }

    public Optional<Path> validationLabels() {
        return Optional.ofNullable(validationLabels);
    }

    /** New class names (the model's when empty); a count other than the model's gets a fresh final layer. */
    public Optional<List<String>> classNames() {
        return Optional.ofNullable(classNames);
    }

    /** RGB per class for the new classes; empty: the model's (same classes) or a generated one. */
    public Optional<List<int[]>> palette() {
        return Optional.ofNullable(palette).map(p -> p.stream().map(int[]::clone).toList());
    }

    public Freeze freeze() {
        return freeze;
    }

    public int iterations() {
        return iterations;
    }

    public int batch() {
        return batch;
    }

    /** The crop size; empty: the smallest aligned size of at least {@value #PREFERRED_CROP}. */
    public Optional<Integer> crop() {
        return Optional.ofNullable(crop);
    }

    /** The base learning rate, by default fyu's for the stage {@link #freeze()} names. */
    public double learningRate() {
        return learningRate != null ? learningRate
                : freeze == Freeze.FRONTEND ? FRONTEND_FROZEN_LEARNING_RATE : NOTHING_FROZEN_LEARNING_RATE;
    }

    public int learningRateStep() {
        return learningRateStep;
    }

    public long seed() {
        return seed;
    }

    public int checkpointEvery() {
        return checkpointEvery;
    }

    /** Where checkpoints go (by default {@code <output stem>.checkpoint.zip}); removed once the output is written. */
    public Path checkpoint() {
        return checkpoint;
    }

    public Path output() {
        return output;
    }

    public ImageLimits limits() {
        return limits;
    }

    public static final class Builder {
        private Path model;
        private Path resume;
        private Path images;
        private Path labels;
        private Path validationImages;
        private Path validationLabels;
        private List<String> classNames;
        private List<int[]> palette;
        private Freeze freeze = Freeze.FRONTEND;
        private int iterations = 20_000;
        private int batch = 8;
        private Integer crop;
        private Double learningRate;
        private int learningRateStep = DEFAULT_LEARNING_RATE_STEP;
        private long seed = 1;
        private int checkpointEvery = 1000;
        private Path checkpoint;
        private Path output;
        private ImageLimits limits = ImageLimits.DEFAULT;

        private Builder() {
        }

        public Builder model(Path model) {
            this.model = model;
            return this;
        }

        public Builder resume(Path checkpoint) {
            this.resume = checkpoint;
            return this;
        }

        public Builder images(Path images) {
            this.images = images;
            return this;
        }

        public Builder labels(Path labels) {
            this.labels = labels;
            return this;
        }

        /** Images (and labels) scored after every epoch; both or neither. */
        public Builder validation(Path images, Path labels) {
            if ((images == null) != (labels == null)) {
                throw new IllegalArgumentException("give both validation images and validation labels, or neither");
            }
            this.validationImages = images;
            this.validationLabels = labels;
            return this;
        }

        public Builder classes(List<String> names, List<int[]> palette) {
            if (names != null && palette != null && names.size() != palette.size()) {
                throw new IllegalArgumentException(names.size() + " class names but " + palette.size()
                        + " palette colors");
            }
            this.classNames = names;
            this.palette = palette;
            return this;
        }

        public Builder freeze(Freeze freeze) {
            this.freeze = Objects.requireNonNull(freeze, "freeze");
            return this;
        }

        public Builder iterations(int iterations) {
            this.iterations = positive("iterations", iterations);
            return this;
        }

        public Builder batch(int batch) {
            this.batch = positive("batch", batch);
            return this;
        }

        public Builder crop(int crop) {
            this.crop = positive("crop", crop);
            return this;
        }

        public Builder learningRate(double learningRate) {
            if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
                throw new IllegalArgumentException("the learning rate must be positive, got " + learningRate);
            }
            this.learningRate = learningRate;
            return this;
        }

        public Builder learningRateStep(int iterations) {
            this.learningRateStep = positive("learning rate step", iterations);
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder checkpointEvery(int iterations) {
            this.checkpointEvery = positive("checkpoint interval", iterations);
            return this;
        }

        public Builder checkpoint(Path checkpoint) {
            this.checkpoint = checkpoint;
            return this;
        }

        public Builder output(Path output) {
            this.output = output;
            return this;
        }

        public Builder limits(ImageLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        public TrainingOptions build() {
            if (model == null && resume == null) {
                throw new IllegalArgumentException("give the model to start from, or a checkpoint to resume");
            }
            return new TrainingOptions(this);
        }

        private static int positive(String what, int value) {
            if (value < 1) {
                throw new IllegalArgumentException("the " + what + " must be at least 1, got " + value);
            }
            return value;
        }
    }
}
