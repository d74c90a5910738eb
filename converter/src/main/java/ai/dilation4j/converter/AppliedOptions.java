package ai.dilation4j.converter;

import java.util.ArrayList;
import java.util.List;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.graph.FeatureShape;
import ai.dilation4j.converter.graph.InputChannelReversal;
import ai.dilation4j.runtime.SourceFile;

/**
 * What the {@link ConversionOptions} do to a network mapped from any source format, in the order a converter
 * meets them: checked against the graph's configuration before anything is allocated, applied to the weights once
 * they are loaded, recorded in the metadata.
 */
public final class AppliedOptions {

    private final ConversionOptions options;
    private final InputChannelReversal reversal;

    private AppliedOptions(ConversionOptions options, InputChannelReversal reversal) {
        this.options = options;
        this.reversal = reversal;
    }

    /**
     * Checks the options against the mapped network: the dataset's classes against the output's channels, the
     * input order against the layers that read the input.
     */
    public static AppliedOptions check(ConversionOptions options, ComputationGraphConfiguration configuration,
                                       String input, FeatureShape inputShape, String outputBlob, int outputChannels)
            throws ConversionException {
        options.requireClassesOf(outputBlob, outputChannels);
        InputChannelReversal reversal = options.inputOrder() == InputChannelOrder.RGB
                ? InputChannelReversal.plan(configuration, input, inputShape) : null;
        return new AppliedOptions(options, reversal);
    }

    /** Changes the loaded weights as the options ask (an RGB network's first convolutions take BGR). */
    public void applyTo(ComputationGraph graph) {
        if (reversal != null) {
            reversal.apply(graph);
        }
    }

    /**
     * The model's source files: the network's files, the last of which holds the weights and notes how they were
     * changed, then the dataset file if the dataset fields came from one.
     */
    public List<SourceFile> sources(List<SourceFile> networkFiles) {
        List<SourceFile> sources = new ArrayList<>(networkFiles);
        if (reversal != null) {
            int weights = sources.size() - 1;
            sources.set(weights, sources.get(weights).withNote(reversal.note()));
        }
        options.datasetSource().ifPresent(sources::add);
        return List.copyOf(sources);
    }
}
