package ai.dilation4j.spark;

import java.util.Objects;

import ai.dilation4j.runtime.image.ImageLimits;

/** What the options of both jobs hold: the model, how tasks run it, and the image limits. */
public abstract class JobOptions {

    /** About how many images one task takes unless told otherwise. */
    public static final int DEFAULT_IMAGES_PER_TASK = 16;

    private final String model;
    private final int threadsPerTask;
    private final int imagesPerTask;
    private final ImageLimits limits;

    JobOptions(Builder<?> builder) {
        this.model = Objects.requireNonNull(builder.model, "model");
        this.threadsPerTask = builder.threadsPerTask;
        this.imagesPerTask = builder.imagesPerTask;
        this.limits = builder.limits;
    }

    /** A preset name, a local model file or a Hadoop URI of one. */
    public String model() {
        return model;
    }

    /** Native threads per forward pass; 0: the task's cores ({@code spark.task.cpus}). */
    public int threadsPerTask() {
        return threadsPerTask;
    }

    /** About how many images one task takes (a failed task repeats that many). */
    public int imagesPerTask() {
        return imagesPerTask;
    }

    public ImageLimits limits() {
        return limits;
    }

    /** The setters both jobs' builders share. */
    public abstract static class Builder<B extends Builder<B>> {
        private String model;
        private int threadsPerTask;
        private int imagesPerTask = DEFAULT_IMAGES_PER_TASK;
        private ImageLimits limits = ImageLimits.DEFAULT;

        Builder() {
        }

        abstract B self();

        public B model(String model) {
            this.model = model;
            return self();
        }

        public B threadsPerTask(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("threads per task must be at least 1 (got " + threads + ")");
            }
            this.threadsPerTask = threads;
            return self();
        }

        public B imagesPerTask(int images) {
            if (images < 1) {
                throw new IllegalArgumentException("images per task must be at least 1 (got " + images + ")");
            }
            this.imagesPerTask = images;
            return self();
        }

        public B limits(ImageLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return self();
        }
    }
}
