package ai.dilation4j.spark;

import java.util.Objects;

import ai.dilation4j.runtime.evaluate.LabelFormat;

/** What a {@link SparkEvaluation} scores and how; immutable, built with {@link #builder()}. */
public final class EvaluateJobOptions extends JobOptions {

    private final String images;
    private final String labels;
    private final LabelFormat format;
    private final Integer ignore;
    private final String list;

    private EvaluateJobOptions(Builder builder) {
        super(builder);
        this.images = Objects.requireNonNull(builder.images, "images");
        this.labels = Objects.requireNonNull(builder.labels, "labels");
        this.format = builder.format;
        this.ignore = builder.ignore;
        this.list = builder.list;
    }

    public static Builder builder() {
        return new Builder();
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

    public static final class Builder extends JobOptions.Builder<Builder> {
        private String images;
        private String labels;
        private LabelFormat format;
        private Integer ignore;
        private String list;

        private Builder() {
        }

        @Override
        Builder self() {
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

        public EvaluateJobOptions build() {
            return new EvaluateJobOptions(this);
        }
    }
}
