package ai.dilation4j.spark;

import java.util.Objects;

import ai.dilation4j.runtime.evaluate.LabelFormat;
import ai.dilation4j.runtime.image.ImageLimits;

/** What a {@link SparkEvaluation} scores and how; immutable, built with {@link #builder()}. */
public final class EvaluateJobOptions {

    private final String model;
    private final String images;
    private final String labels;
    private final LabelFormat format;
    private final Integer ignore;
    private final String list;
    private final int threadsPerTask;
    private final int imagesPerTask;
    private final ImageLimits limits;

    private EvaluateJobOptions(Builder builder) {
        this.model = Objects.requireNonNull(builder.model, "model");
        this.images = Objects.requireNonNull(builder.images, "images");
        this.labels = Objects.requireNonNull(builder.labels, "labels");
        this.format = builder.format;
        this.ignore = builder.ignore;
        this.list = builder.list;
        this.threadsPerTask = builder.threadsPerTask;
        this.imagesPerTask = builder.imagesPerTask;
        this.limits = builder.limits;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A preset name, a local model file or a Hadoop URI of one. */
    public String model() {
        return model;
    }

    /** The images' directory (any Hadoop file system). */
    public String images() {
        return images;
    }

    /** The labels' directory. */
    public String labels() {
        return labels;
    }

    /** The label layout; null: detected as the command's {@code auto} does. */
    public LabelFormat format() {
        return format;
    }

    /** The label value not scored (-1 for none); null: 255, or Cityscapes' unscored IDs. */
    public Integer ignore() {
        return ignore;
    }

    /** A file of the image stems to score, one per line (VOC's val.txt); null: every labelled image. */
    public String list() {
        return list;
    }

    /** Native threads per forward pass; 0: the task's cores. */
    public int threadsPerTask() {
        return threadsPerTask;
    }

    public int imagesPerTask() {
        return imagesPerTask;
    }

    public ImageLimits limits() {
        return limits;
    }

    public static final class Builder {
        private String model;
        private String images;
        private String labels;
        private LabelFormat format;
        private Integer ignore;
        private String list;
        private int threadsPerTask;
        private int imagesPerTask = 16;
        private ImageLimits limits = ImageLimits.DEFAULT;

        private Builder() {
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder images(String images) {
            this.images = images;
            return this;
        }

        public Builder labels(String labels) {
            this.labels = labels;
            return this;
        }

        public Builder format(LabelFormat format) {
            this.format = format;
            return this;
        }

        public Builder ignore(Integer ignore) {
            if (ignore != null && (ignore < -1 || ignore > 255)) {
                throw new IllegalArgumentException("ignore must be between -1 and 255 (got " + ignore + ")");
            }
            this.ignore = ignore;
            return this;
        }

        public Builder list(String list) {
            this.list = list;
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

        public EvaluateJobOptions build() {
            return new EvaluateJobOptions(this);
        }
    }
}
