package ai.dilation4j.spark;

import java.util.List;
import java.util.Objects;

import ai.dilation4j.runtime.image.ImageLimits;
import ai.dilation4j.runtime.output.OutputKind;

/** What a {@link SparkSegmentation} does; immutable, built with {@link #builder()}. */
public final class SegmentJobOptions {

    private final String model;
    private final String input;
    private final String output;
    private final String include;
    private final boolean recursive;
    private final List<OutputKind> outputKinds;
    private final int threadsPerTask;
    private final int imagesPerTask;
    private final ImageLimits limits;
    private final HadoopOutputs.WriteObserver writeObserver;

    private SegmentJobOptions(Builder builder) {
        this.model = Objects.requireNonNull(builder.model, "model");
        this.input = Objects.requireNonNull(builder.input, "input");
        this.output = Objects.requireNonNull(builder.output, "output");
        this.include = builder.include;
        this.recursive = builder.recursive;
        this.outputKinds = builder.outputKinds;
        this.threadsPerTask = builder.threadsPerTask;
        this.imagesPerTask = builder.imagesPerTask;
        this.limits = builder.limits;
        this.writeObserver = builder.writeObserver;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A preset name, a local model file or a Hadoop URI of one. */
    public String model() {
        return model;
    }

    /** A file, a directory or a Hadoop glob of images. */
    public String input() {
        return input;
    }

    /** The directory (any Hadoop file system) the images' files, {@code results/} and {@code _SUCCESS} go to. */
    public String output() {
        return output;
    }

    /** The file-name glob an image must match ({@code pathGlobFilter}). */
    public String include() {
        return include;
    }

    /** Whether directories are searched below the input's own files. */
    public boolean recursive() {
        return recursive;
    }

    public List<OutputKind> outputKinds() {
        return outputKinds;
    }

    /** Native threads per forward pass; 0: the task's cores ({@code spark.task.cpus}). */
    public int threadsPerTask() {
        return threadsPerTask;
    }

    /** About how many images one task segments (a failed task repeats that many). */
    public int imagesPerTask() {
        return imagesPerTask;
    }

    public ImageLimits limits() {
        return limits;
    }

    HadoopOutputs.WriteObserver writeObserver() {
        return writeObserver;
    }

    public static final class Builder {
        private String model;
        private String input;
        private String output;
        private String include = InputPaths.imageFilter();
        private boolean recursive = true;
        private List<OutputKind> outputKinds = List.of(OutputKind.COLOR, OutputKind.LABELS);
        private int threadsPerTask;
        private int imagesPerTask = 16;
        private ImageLimits limits = ImageLimits.DEFAULT;
        private HadoopOutputs.WriteObserver writeObserver = HadoopOutputs.WriteObserver.NONE;

        private Builder() {
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder input(String input) {
            this.input = input;
            return this;
        }

        public Builder output(String output) {
            this.output = output;
            return this;
        }

        public Builder include(String glob) {
            this.include = Objects.requireNonNull(glob, "include");
            return this;
        }

        public Builder recursive(boolean recursive) {
            this.recursive = recursive;
            return this;
        }

        public Builder outputKinds(List<OutputKind> kinds) {
            if (kinds.isEmpty()) {
                throw new IllegalArgumentException("give at least one output kind");
            }
            this.outputKinds = List.copyOf(kinds);
            return this;
        }

        public Builder threadsPerTask(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("threads per task must be at least 1 (got " + threads + ")");
            }
            this.threadsPerTask = threads;
            return this;
        }

        public Builder imagesPerTask(int images) {
            if (images < 1) {
                throw new IllegalArgumentException("images per task must be at least 1 (got " + images + ")");
            }
            this.imagesPerTask = images;
            return this;
        }

        public Builder limits(ImageLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        Builder writeObserver(HadoopOutputs.WriteObserver observer) {
            this.writeObserver = Objects.requireNonNull(observer, "observer");
            return this;
        }

        public SegmentJobOptions build() {
            return new SegmentJobOptions(this);
        }
    }
}
