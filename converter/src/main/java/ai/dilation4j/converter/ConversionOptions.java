package ai.dilation4j.converter;

import java.util.Objects;
import java.util.Optional;

import ai.dilation4j.converter.api.ProgressListener;
import ai.dilation4j.runtime.DatasetSpec;

/** Options of a conversion; immutable, built with {@link #builder()}. */
public final class ConversionOptions {

    private final String presetName;
    private final DatasetSpec dataset;
    private final String name;
    private final ProgressListener progress;

    private ConversionOptions(Builder builder) {
        this.presetName = builder.presetName;
        this.dataset = builder.dataset;
        this.name = builder.name;
        this.progress = builder.progress;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static ConversionOptions defaults() {
        return builder().build();
    }

    /** The preset whose name to record with the model; present exactly when {@link #dataset()} is. */
    public Optional<String> presetName() {
        return Optional.ofNullable(presetName);
    }

    /** Dataset fields (classes, palette, mean, margin, zoom) to store with the model. */
    public Optional<DatasetSpec> dataset() {
        return Optional.ofNullable(dataset);
    }

    /** Model name to record; by default the prototxt's {@code name}, else the weights file name. */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /** Where progress of reading the weights goes; nowhere by default. */
    public ProgressListener progress() {
        return progress;
    }

    public static final class Builder {
        private String presetName;
        private DatasetSpec dataset;
        private String name;
        private ProgressListener progress = ProgressListener.NONE;

        private Builder() {
        }

        /** Records the preset's name and stores its dataset fields with the model. */
        public Builder preset(String presetName, DatasetSpec dataset) {
            this.presetName = Objects.requireNonNull(presetName, "presetName");
            this.dataset = Objects.requireNonNull(dataset, "dataset");
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
