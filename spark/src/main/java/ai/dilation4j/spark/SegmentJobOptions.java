package ai.dilation4j.spark;

import java.util.List;
import java.util.Objects;

import ai.dilation4j.runtime.output.OutputKind;

/** What a {@link SparkSegmentation} does; immutable, built with {@link #builder()}. */
public final class SegmentJobOptions extends JobOptions {

    private final String input;
    private final String output;
    private final String include;
    private final boolean recursive;
    private final List<OutputKind> outputKinds;
    private final HadoopOutputs.WriteObserver writeObserver;

    private SegmentJobOptions(Builder builder) {
        super(builder);
        this.input = Objects.requireNonNull(builder.input, "input");
        this.output = Objects.requireNonNull(builder.output, "output");
        this.include = builder.include;
        this.recursive = builder.recursive;
        this.outputKinds = builder.outputKinds;
        this.writeObserver = builder.writeObserver;
    }

    public static Builder builder() {
        return new Builder();
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

    HadoopOutputs.WriteObserver writeObserver() {
        return writeObserver;
    }

    public static final class Builder extends JobOptions.Builder<Builder> {
        private String input;
        private String output;
        private String include = InputPaths.imageFilter();
        private boolean recursive = true;
        private List<OutputKind> outputKinds = List.of(OutputKind.COLOR, OutputKind.LABELS);
        private HadoopOutputs.WriteObserver writeObserver = HadoopOutputs.WriteObserver.NONE;

        private Builder() {
        }

        @Override
        Builder self() {
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

        Builder writeObserver(HadoopOutputs.WriteObserver observer) {
            this.writeObserver = Objects.requireNonNull(observer, "observer");
            return this;
        }

        public SegmentJobOptions build() {
            return new SegmentJobOptions(this);
        }
    }
}
