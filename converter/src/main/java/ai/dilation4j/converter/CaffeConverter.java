package ai.dilation4j.converter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.api.ProgressListener;
import ai.dilation4j.converter.api.UnsupportedLayerException;
import ai.dilation4j.converter.caffe.BlobLayout;
import ai.dilation4j.converter.caffe.CaffeBlob;
import ai.dilation4j.converter.caffe.CaffeModelReader;
import ai.dilation4j.converter.caffe.CaffeNetDefinition;
import ai.dilation4j.converter.caffe.PrototxtReader;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.graph.FeatureShape;
import ai.dilation4j.converter.graph.GraphBuildContext;
import ai.dilation4j.converter.graph.GraphChecks;
import ai.dilation4j.converter.graph.WeightBinding;
import ai.dilation4j.converter.mappers.LayerMappingTable;
import ai.dilation4j.runtime.ModelFileException;
import ai.dilation4j.runtime.ModelMetadata;
import ai.dilation4j.runtime.SourceFile;
import ai.dilation4j.runtime.io.FileNames;
import ai.dilation4j.runtime.io.Sha256;
import ai.dilation4j.runtime.model.SegmentationModel;

/**
 * Converts a Caffe deploy prototxt and its trained caffemodel into a DL4J {@link ComputationGraph} that
 * computes what Caffe computes, with the metadata dilation4j needs to run it.
 */
public final class CaffeConverter {

    private static final Logger LOG = LoggerFactory.getLogger(CaffeConverter.class);

    private final LayerMappingTable mappings;

    public CaffeConverter() {
        this(LayerMappingTable.standard());
    }

    public CaffeConverter(LayerMappingTable mappings) {
        this.mappings = mappings;
    }

    /**
     * Converts and writes the model file atomically: the target appears complete or not at all, and a conversion
     * or write that fails leaves an existing target as it was.
     */
    public SavedModel convertTo(Path prototxt, Path weights, ConversionOptions options, Path target)
            throws ConversionException, ModelFileException {
        try (SegmentationModel model = convert(prototxt, weights, options)) {
            return SavedModel.write(model, options.progress(), target);
        }
    }

    /** Converts and returns the model in memory; {@link #convertTo} also saves it. */
    public SegmentationModel convert(Path prototxt, Path weights, ConversionOptions options)
            throws ConversionException {
        byte[] prototxtBytes = PrototxtReader.readBytes(prototxt);
        GraphPlan plan = plan(PrototxtReader.parse(prototxtBytes, prototxt), prototxt);
        // Everything the files and options must fit is checked before the graph allocates its parameters, so a
        // prototxt, caffemodel or dataset that does not fit costs a message, not gigabytes.
        String outputBlob = plan.outputBlob();
        int numClasses = (int) plan.context().blobShape(outputBlob).channels();
        long[] inputShape = plan.input().shape();
        AppliedOptions applied = AppliedOptions.check(options, plan.configuration(), plan.input().blob(),
                new FeatureShape(inputShape[1], inputShape[2], inputShape[3]), outputBlob, numClasses);
        checkLayout(plan.context().weightBindings(), CaffeModelReader.readLayout(weights), weights);
        ComputationGraph graph = new ComputationGraph(plan.configuration());
        graph.init();
        long started = System.nanoTime();
        CaffeModelReader.Summary weightsRead = loadWeights(graph, plan.context().weightBindings(), weights,
                options.progress());
        LOG.info("Read {} layers ({} MB) of {} in {} ms", weightsRead.layers(), weightsRead.bytes() >> 20,
                weights.getFileName(), (System.nanoTime() - started) / 1_000_000);
        applied.applyTo(graph);

        String name = options.name()
                .or(() -> Optional.of(plan.net().name()).filter(n -> !n.isEmpty()))
                .orElse(FileNames.stem(weights));
        List<SourceFile> sources = applied.sources(List.of(
                new SourceFile("prototxt", prototxt.getFileName().toString(), prototxtBytes.length,
                        Sha256.of(prototxtBytes)),
                new SourceFile("weights", weights.getFileName().toString(), weightsRead.bytes(), weightsRead.sha256())));
        ModelMetadata metadata = new ModelMetadata(ModelMetadata.FORMAT_VERSION, name, plan.input().blob(),
                plan.input().shape(), outputBlob, numClasses, plan.context().blobVertices(), sources,
                options.presetName().orElse(null), options.dataset().orElse(null), ConverterVersion.VERSION);
        return SegmentationModel.of(graph, metadata);
    }

    /**
     * The trained blobs the prototxt's layers need, in layer order, without reading any weights: what a
     * caffemodel for this prototxt must contain.
     */
    public List<WeightBinding> weightLayout(Path prototxt) throws ConversionException {
        return List.copyOf(plan(PrototxtReader.read(prototxt), prototxt).context().weightBindings().values());
    }

    /** A mapped network: its DL4J configuration and the conversion state that produced it. */
    private record GraphPlan(CaffeNetDefinition net, CaffeNetDefinition.NetworkInput input,
                             ComputationGraphConfiguration configuration, GraphBuildContext context,
                             String outputBlob) {
    }

    private GraphPlan plan(CaffeNetDefinition net, Path prototxt) throws ConversionException {
        if (net.inputs().size() != 1) {
            throw new UnsupportedLayerException(prototxt + " declares " + net.inputs().size()
                    + " inputs; dilation4j converts single-input image networks.");
        }
        CaffeNetDefinition.NetworkInput input = net.inputs().get(0);
        long[] inputShape = input.shape();
        if (inputShape.length != 4 || Arrays.stream(inputShape).anyMatch(d -> d < 1)) {
            throw new UnsupportedLayerException(prototxt + ": input '" + input.blob() + "' has shape "
                    + Arrays.toString(inputShape) + "; dilation4j needs a 4-D N x C x H x W image input.");
        }
        GraphBuilder builder = new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.ZERO)
                .graphBuilder();
        GraphBuildContext context = new GraphBuildContext(builder, inputShape[0]);
        FeatureShape inputFeatures = new FeatureShape(inputShape[1], inputShape[2], inputShape[3]);
        context.addInput(input.blob(), inputFeatures);
        for (LayerParameter layer : net.layers()) {
            context.claimTops(layer);
            mappings.mapperFor(layer).map(layer, context);
        }
        GraphChecks.FinishedGraph finished = GraphChecks.finish(builder, context, inputFeatures, prototxt, "Caffe",
                "the prototxt", "Check num_output and kernel_size in the prototxt.");
        return new GraphPlan(net, input, finished.configuration(), context, finished.outputBlob());
    }

    /** Checks that the weights file holds every blob the network needs, with the right shapes and sizes. */
    private static void checkLayout(Map<String, WeightBinding> bindings, Map<String, List<BlobLayout>> layout,
                                    Path weights) throws ConversionException {
        for (WeightBinding binding : bindings.values()) {
            List<BlobLayout> blobs = layout.get(binding.layerName());
            if (blobs != null) {
                checkBlobs(binding, blobs, weights);
            }
        }
        requireAllBound(bindings, layout.keySet(), weights);
    }

    private static void requireAllBound(Map<String, WeightBinding> bindings, Set<String> found, Path weights)
            throws ConversionException {
        List<String> missing = new ArrayList<>(bindings.keySet());
        missing.removeAll(found);
        if (!missing.isEmpty()) {
            throw new ConversionException("Weights file " + weights + " has no parameters for layer(s) "
                    + String.join(", ", missing) + ". Use the caffemodel trained with this prototxt (layer names "
                    + "must match); a file cut short also loses its last layers.");
        }
    }

    private static void checkBlobs(WeightBinding binding, List<BlobLayout> blobs, Path weights)
            throws ConversionException {
        String layer = "Layer '" + binding.layerName() + "' (" + binding.layerType() + ")";
        if (blobs.size() != binding.expectedShapes().size()) {
            throw new ConversionException(layer + " has " + blobs.size() + " parameter blob(s) in " + weights
                    + " but the prototxt calls for " + binding.expectedShapes().size() + " ("
                    + String.join(", ", binding.blobRoles()) + "). Check bias_term and that the weights belong to "
                    + "this prototxt.");
        }
        for (int i = 0; i < blobs.size(); i++) {
            BlobLayout blob = blobs.get(i);
            long[] expected = binding.expectedShapes().get(i);
            if (!blob.matches(expected)) {
                throw new ConversionException(layer + ": " + binding.blobRoles().get(i) + " blob in " + weights
                        + " has shape " + blob.describeShape() + " but the prototxt implies "
                        + Arrays.toString(expected) + ". The weights do not belong to this prototxt (check "
                        + "num_output, kernel_size and group).");
            }
            if (blob.valueCount() != blob.declaredCount()) {
                throw new ConversionException(layer + ": " + binding.blobRoles().get(i) + " blob in " + weights
                        + " declares shape " + blob.describeShape() + " but holds " + blob.valueCount()
                        + " values; the file is damaged.");
            }
        }
    }

    private static CaffeModelReader.Summary loadWeights(ComputationGraph graph, Map<String, WeightBinding> bindings,
                                                        Path weights, ProgressListener progress)
            throws ConversionException {
        Set<String> bound = new HashSet<>();
        CaffeModelReader.Summary summary = CaffeModelReader.read(weights, (layerName, blobs) -> {
            WeightBinding binding = bindings.get(layerName);
            if (binding == null) {
                LOG.debug("Ignoring trained layer {} of {}: it is not part of the network", layerName, weights);
                return;
            }
            graphBind(graph, binding, blobs, weights);
            bound.add(layerName);
        }, progress);
        requireAllBound(bindings, bound, weights);
        return summary;
    }

    private static void graphBind(ComputationGraph graph, WeightBinding binding, List<CaffeBlob> blobs, Path weights)
            throws ConversionException {
        checkBlobs(binding, blobs.stream().map(CaffeBlob::layout).toList(), weights);
        List<INDArray> arrays = new ArrayList<>();
        for (int i = 0; i < blobs.size(); i++) {
            arrays.add(blobs.get(i).values().reshape('c', binding.expectedShapes().get(i)));
        }
        binding.binder().bind(graph, arrays);
    }
}
