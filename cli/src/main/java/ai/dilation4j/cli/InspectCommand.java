package ai.dilation4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.ModelMetadata;
import ai.dilation4j.runtime.SourceFile;
import ai.dilation4j.runtime.VertexSummary;
import ai.dilation4j.runtime.model.SegmentationModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a model's layers with output shapes and parameter counts, and its metadata.")
final class InspectCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin
    ModelOption modelOption;

    @Option(names = "--json", description = "Print one JSON object instead of tables.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path modelFile = modelOption.file();
        try (SegmentationModel model = SegmentationModel.load(modelFile)) {
            ModelMetadata metadata = model.metadata();
            List<VertexSummary> vertices = model.vertices();
            if (json) {
                Map<String, Object> document = new LinkedHashMap<>();
                document.put("file", modelFile.toString());
                document.put("parameters", model.graph().numParams());
                document.put("metadata", metadata);
                document.put("layers", vertices);
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document));
                return 0;
            }
            out.printf("Model      %s (%s)%n", metadata.name(), modelFile);
            out.printf("Input      %s %s%n", metadata.inputBlob(), shape(metadata.inputShape()));
            out.printf("Output     %s, %d classes%n", metadata.outputBlob(), metadata.numClasses());
            out.printf("Parameters %,d (%.1f MB as float32)%n", model.graph().numParams(),
                    model.graph().numParams() * 4 / 1e6);
            for (SourceFile source : metadata.sources()) {
                out.printf("Source     %-8s %s (%,d bytes, sha256 %s)%n", source.role(), source.fileName(),
                        source.bytes(), source.sha256());
                if (source.note() != null) {
                    out.printf("           %-8s %s%n", "", source.note());
                }
            }
            if (metadata.preset() != null) {
                out.printf("Preset     %s%n", metadata.preset());
            }
            DatasetSpec dataset = metadata.dataset();
            if (dataset != null) {
                out.printf("Dataset    %s: mean BGR %s, label margin %d, zoom %d%n", dataset.name(),
                        Arrays.toString(dataset.meanBgr()), dataset.labelMargin(), dataset.zoom());
                out.printf("Classes    %s%n", String.join(", ", dataset.classNames()));
            }
            out.println();
            out.printf("%-22s %-24s %-18s %14s  %s%n", "VERTEX", "KIND", "OUTPUT (NCHW)", "PARAMETERS", "DETAILS");
            for (VertexSummary vertex : vertices) {
                out.printf("%-22s %-24s %-18s %,14d  %s%n", vertex.name(), vertex.kind(), shape(vertex.outputShape()),
                        vertex.parameters(), vertex.details());
            }
            out.println();
            out.println("Caffe blob -> vertex: " + metadata.blobVertices().entrySet().stream()
                    .map(e -> e.getKey().equals(e.getValue()) ? e.getKey() : e.getKey() + "->" + e.getValue())
                    .collect(Collectors.joining(", ")));
        }
        return 0;
    }

    private static String shape(long[] shape) {
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining("x"));
    }
}
