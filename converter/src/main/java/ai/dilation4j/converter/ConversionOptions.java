package ai.dilation4j.converter;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.api.ProgressListener;
import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.SourceFile;

/** Options of a conversion; immutable, built with {@link #builder()}. */
public final class ConversionOptions {

    private final String presetName;
    private final Path datasetFile;
    private final SourceFile datasetSource;
    private final DatasetSpec dataset;
    private final InputChannelOrder inputOrder;
    private final String name;
    private final ProgressListener progress;

    private ConversionOptions(Builder builder) {
        this.presetName = builder.presetName;
        this.datasetFile = builder.datasetFile;
        this.datasetSource = builder.datasetSource;
        this.dataset = builder.dataset;
        this.inputOrder = builder.inputOrder;
        this.name = builder.name;
        this.progress = builder.progress;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static ConversionOptions defaults() {
        return builder().build();
    }

    /** The preset whose name to record with the model, when the dataset fields are a preset's. */
    public Optional<String> presetName() {
        return Optional.ofNullable(presetName);
    }

    /** The dataset file to record among the model's sources, when the dataset fields were read from one. */
    public Optional<SourceFile> datasetSource() {
        return Optional.ofNullable(datasetSource);
    }

    /** Dataset fields (classes, palette, mean, margin, zoom) to store with the model. */
    public Optional<DatasetSpec> dataset() {
        return Optional.ofNullable(dataset);
    }

    /** The channel order the network was trained on; {@link InputChannelOrder#BGR} by default. */
    public InputChannelOrder inputOrder() {
        return inputOrder;
    }

    /** Model name to record; by default the prototxt's {@code name}, else the weights file name. */
    public Optional<String> name() {
        return Optional.ofNullable(name);
    }

    /** Where progress of reading the weights goes; nowhere by default. */
    public ProgressListener progress() {
        return progress;
    }

    /**
     * Checks that the dataset, if any, names one class per channel of the network's output.
     *
     * @throws ConversionException naming the preset or dataset file and both counts
     */
    void requireClassesOf(String outputBlob, int channels) throws ConversionException {
        if (dataset == null || dataset.numClasses() == channels) {
            return;
        }
        String mismatch = dataset.numClasses() + " classes but the network's output '" + outputBlob + "' has "
                + channels + " channels.";
        throw new ConversionException(presetName != null
                ? "Preset '" + presetName + "' has " + mismatch + " Choose the preset the weights were trained for."
                : "Dataset file " + datasetFile + " (field 'classes') has " + mismatch + " List one class per output "
                + "channel, in channel order.");
    }

    public static final class Builder {
        private String presetName;
        private Path datasetFile;
        private SourceFile datasetSource;
        private DatasetSpec dataset;
        private InputChannelOrder inputOrder = InputChannelOrder.BGR;
        private String name;
        private ProgressListener progress = ProgressListener.NONE;

        private Builder() {
        }

        /** Records the preset's name and stores its dataset fields with the model (instead of any dataset file). */
        public Builder preset(String presetName, DatasetSpec dataset) {
            this.presetName = Objects.requireNonNull(presetName, "presetName");
            this.dataset = Objects.requireNonNull(dataset, "dataset");
            this.datasetFile = null;
            this.datasetSource = null;
            return this;
        }

        /**
         * Stores dataset fields read from a file of their own with the model (instead of any preset's) and records
         * the file among the model's sources.
         *
         * @param file    the file, named in errors
         * @param source  the file as it was read (name, size, SHA-256)
         * @param dataset the fields it holds
         */
        public Builder datasetFile(Path file, SourceFile source, DatasetSpec dataset) {
            this.datasetFile = Objects.requireNonNull(file, "file");
            this.datasetSource = Objects.requireNonNull(source, "source");
            this.dataset = Objects.requireNonNull(dataset, "dataset");
            this.presetName = null;
            return this;
        }

        /** The channel order the network was trained on. */
        public Builder inputOrder(InputChannelOrder inputOrder) {
            this.inputOrder = Objects.requireNonNull(inputOrder, "inputOrder");
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
