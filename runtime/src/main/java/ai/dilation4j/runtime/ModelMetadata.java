package ai.dilation4j.runtime;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;


/**
 * What a dilation4j model file records beside the DL4J graph.
 *
 * @param formatVersion    version of this metadata layout
 * @param name             network name (from the prototxt, or the file name)
 * @param inputBlob        Caffe name of the network input, also the graph's input name
 * @param inputShape       NCHW shape the network was converted for
 * @param outputBlob       Caffe name of the network output (e.g. {@code prob})
 * @param numClasses       channels of the output blob
 * @param blobVertices     every Caffe blob, in the order Caffe computes them, mapped to the graph vertex that holds
 *                         its final value (in-place layers overwrite their input, as in Caffe)
 * @param sources          the Caffe files the model was converted from
 * @param preset           preset name given at conversion, or null
 * @param dataset          dataset fields (classes, palette, mean, margin, zoom), or null
 * @param converterVersion dilation4j version that wrote the file
 */
public record ModelMetadata(int formatVersion, String name, String inputBlob, long[] inputShape, String outputBlob,
                            int numClasses, Map<String, String> blobVertices, List<SourceFile> sources,
                            String preset, DatasetSpec dataset, String converterVersion) {

    public static final int FORMAT_VERSION = 1;

    public ModelMetadata {
        Objects.requireNonNull(inputBlob, "inputBlob");
        Objects.requireNonNull(outputBlob, "outputBlob");
        inputShape = inputShape.clone();
        blobVertices = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(blobVertices));
        sources = List.copyOf(sources);
    }

    @Override
    public long[] inputShape() {
        return inputShape.clone();
    }

    public Optional<DatasetSpec> datasetSpec() {
        return Optional.ofNullable(dataset);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelMetadata m && formatVersion == m.formatVersion && Objects.equals(name, m.name)
                && inputBlob.equals(m.inputBlob) && Arrays.equals(inputShape, m.inputShape)
                && outputBlob.equals(m.outputBlob) && numClasses == m.numClasses
                && blobVertices.equals(m.blobVertices) && sources.equals(m.sources)
                && Objects.equals(preset, m.preset) && Objects.equals(dataset, m.dataset)
                && Objects.equals(converterVersion, m.converterVersion);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, inputBlob, Arrays.hashCode(inputShape), outputBlob, numClasses, blobVertices);
    }

    @Override
    public String toString() {
        return "ModelMetadata[" + name + ", input " + inputBlob + Arrays.toString(inputShape) + ", output "
                + outputBlob + " (" + numClasses + " classes), " + blobVertices.size() + " blobs"
                + (preset == null ? "" : ", preset " + preset) + "]";
    }
}
