package ai.dilation4j.converter;

import java.util.Optional;

import ai.dilation4j.models.ModelPreset;

/** Options of a conversion; immutable, built with {@link #builder()}. */
public final class ConversionOptions {

    private final ModelPreset preset;
    private final String name;
    private final ProgressListener progress;

    private ConversionOptions(Builder builder) {
        this.preset = builder.preset;
        this.name = builder.name;
        this.progress = builder.progress;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static ConversionOptions defaults() {
        return builder().build();
    }

    /** Dataset fields (classes, palette, mean, margin, zoom) to store with the model. */
    public Optional<ModelPreset> preset() {
        return Optional.ofNullable(preset);
    }

    /** Model name to record; by default the prototxt's {@code name}, else the preset's model name, else the weights file name. */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /** Where progress of reading the weights goes; nowhere by default. */
    public ProgressListener progress() {
        return progress;
    }

    public static final class Builder {
        private ModelPreset preset;
        private String name;
        private ProgressListener progress = ProgressListener.NONE;

        private Builder() {
        }

        public Builder preset(ModelPreset preset) {
            this.preset = preset;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder progress(ProgressListener progress) {
            this.progress = progress == null ? ProgressListener.NONE : progress;
            return this;
        }

        public ConversionOptions build() {
            return new ConversionOptions(this);
        }
    }
}
