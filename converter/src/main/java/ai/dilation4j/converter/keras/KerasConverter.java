package ai.dilation4j.converter.keras;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasLayer;
import org.deeplearning4j.nn.modelimport.keras.KerasModel;
import org.deeplearning4j.nn.modelimport.keras.config.KerasModelConfiguration;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.layers.KerasInput;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasModelBuilder;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ai.dilation4j.converter.AppliedOptions;
import ai.dilation4j.converter.ConversionOptions;
import ai.dilation4j.converter.ConverterVersion;
import ai.dilation4j.converter.SavedModel;
import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.graph.FeatureShape;
import ai.dilation4j.converter.graph.GraphBuildContext;
import ai.dilation4j.converter.graph.GraphChecks;
import ai.dilation4j.converter.graph.WeightBinding;
import ai.dilation4j.runtime.ModelFileException;
import ai.dilation4j.runtime.ModelMetadata;
import ai.dilation4j.runtime.io.FileNames;
import ai.dilation4j.runtime.model.SegmentationModel;

/**
 * Imports a Keras 1.x or 2.x segmentation network (DilatedNet as ported to Keras, e.g. nicolov/segmentation_keras)
 * through deeplearning4j-modelimport and rewrites it into the graph the {@link ai.dilation4j.converter.CaffeConverter}
 * builds for the same network: NCHW input, {@code GemmConvolutionLayer} convolutions, Keras's max pooling, the
 * per-pixel softmax, one vertex per Keras layer named after it. The runtime then runs it exactly like a converted
 * Caffe model: it feeds NCHW tiles of the BGR image minus the dataset mean, as predict.py does, with the label margin
 * and zoom of the dataset preset.
 *
 * <p>Two inputs: a full-model HDF5 file ({@code model.save}, {@code ModelCheckpoint}: the architecture in its
 * {@code model_config} attribute, the weights under {@code model_weights}), or an architecture JSON
 * ({@code model.to_json}) with a weights-only HDF5 file ({@code model.save_weights}). The layers that import are
 * listed in {@link KerasLayerMappings}.
 */
public final class KerasConverter {

    private static final Logger LOG = LoggerFactory.getLogger(KerasConverter.class);

    private final KerasLayerMappings mappings = KerasLayerMappings.standard();

    /** Imports a full-model file and writes the model file atomically (complete or not at all). */
    public SavedModel convertTo(Path modelFile, ConversionOptions options, Path target)
            throws ConversionException, ModelFileException {
        try (SegmentationModel model = convert(modelFile, options)) {
            return SavedModel.write(model, options.progress(), target);
        }
    }

    /** Imports an architecture JSON with its weights and writes the model file atomically. */
    public SavedModel convertTo(Path architectureJson, Path weights, ConversionOptions options, Path target)
            throws ConversionException, ModelFileException {
        try (SegmentationModel model = convert(architectureJson, weights, options)) {
            return SavedModel.write(model, options.progress(), target);
        }
    }

    /** Imports a full-model HDF5 file ({@code model_config} attribute and {@code model_weights}). */
    public SegmentationModel convert(Path modelFile, ConversionOptions options) throws ConversionException {
        return convert(KerasSource.fullModel(modelFile), options);
    }

    /** Imports an architecture JSON ({@code model.to_json()}) and its weights ({@code model.save_weights()}). */
    public SegmentationModel convert(Path architectureJson, Path weights, ConversionOptions options)
            throws ConversionException {
        return convert(KerasSource.split(architectureJson, weights), options);
    }

    private SegmentationModel convert(KerasSource source, ConversionOptions options) throws ConversionException {
        checkLayers(source);
        checkWeights(source);
        options.progress().step("Importing " + source.modelFile().getFileName() + " with deeplearning4j-modelimport");
        long started = System.nanoTime();
        KerasModel imported = importModel(source);
        LOG.info("modelimport read {} in {} ms", source.weightsFile().getFileName(),
                (System.nanoTime() - started) / 1_000_000);

        GraphBuilder builder = new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.ZERO)
                .graphBuilder();
        GraphBuildContext graph = new GraphBuildContext(builder, 1);
        TensorLayout layout = modelLayout(source.architecture());
        boolean theanoKernels = source.backend().map("theano"::equals)
                .orElse(source.kerasMajorVersion() == 1 && layout.channelsFirst());
        KerasMappingContext context = new KerasMappingContext(graph,
                new KerasKernels(source.kerasMajorVersion(), theanoKernels), source.weightsFile(), layout);
        String input = mapLayers(source, imported, context);

        FeatureShape inputShape = graph.blobShape(input);
        GraphChecks.FinishedGraph finished = GraphChecks.finish(builder, graph, inputShape, source.modelFile(),
                "Keras", "the Keras model", "Check the filters and kernel sizes of its convolutions.");
        ComputationGraphConfiguration configuration = finished.configuration();
        String outputBlob = finished.outputBlob();
        int numClasses = (int) graph.blobShape(outputBlob).channels();
        AppliedOptions applied = AppliedOptions.check(options, configuration, input, inputShape, outputBlob,
                numClasses);

        ComputationGraph dl4j = new ComputationGraph(configuration);
        dl4j.init();
        for (WeightBinding binding : graph.weightBindings().values()) {
            binding.binder().bind(dl4j, context.weightsOf(binding.layerName()));
        }
        applied.applyTo(dl4j);
        // Keras names models sequential_1, model_1, ...; the file says more.
        String name = options.name().orElse(FileNames.stem(source.modelFile()));
        return SegmentationModel.of(dl4j, new ModelMetadata(ModelMetadata.FORMAT_VERSION, name, input,
                inputShape.nchw(1), outputBlob, numClasses, graph.blobVertices(), applied.sources(source.sources()),
                options.presetName().orElse(null), options.dataset().orElse(null), ConverterVersion.VERSION));
    }

    /** Refuses a layer class no mapper imports before modelimport builds anything, naming what is imported. */
    private void checkLayers(KerasSource source) throws ConversionException {
        for (KerasArchitecture.LayerSpec layer : source.architecture().layers()) {
            mappings.mapperFor(layer, source.modelFile());
        }
    }

    /**
     * Checks that the weights file holds what the architecture needs and nothing else, with the names modelimport
     * reads, before it reads any weight: each layer with weights has a group of its name holding as many arrays as the
     * layer has, and every group has a {@code weight_names} attribute modelimport can read.
     */
    private void checkWeights(KerasSource source) throws ConversionException {
        Path file = source.weightsFile();
        Map<String, KerasArchitecture.LayerSpec> layers = new HashMap<>();
        source.architecture().layers().forEach(layer -> layers.put(layer.name(), layer));
        for (Hdf5Inspection.LayerWeights group : source.layerWeights().values()) {
            if (group.layer().equals(KerasModelConfiguration.topLevelModelWeights)) {
                continue;
            }
            if (group.weightNamesBytes() < 0 || group.weightNamesBytes() > Hdf5Inspection.MAX_WEIGHT_NAMES_BYTES) {
                throw new ConversionException("Keras weights " + file + ": the group of layer '" + group.layer() + "' "
                        + (group.weightNamesBytes() < 0 ? "has no weight_names attribute"
                        : "has a weight_names attribute of " + group.weightNamesBytes() + " bytes, more than a layer "
                        + "of this network takes") + "; the file was not written by Keras or is damaged.");
            }
            if (!layers.containsKey(group.layer()) && !group.datasets().isEmpty()) {
                throw new ConversionException("Keras weights " + file + " hold weights for layer '" + group.layer()
                        + "', which the architecture does not have. The weights do not belong to this architecture.");
            }
        }
        for (KerasArchitecture.LayerSpec layer : source.architecture().layers()) {
            List<String> roles = mappings.mapperFor(layer, source.modelFile()).weightRoles(layer);
            if (roles.isEmpty()) {
                continue;
            }
            Hdf5Inspection.LayerWeights group = source.layerWeights().get(layer.name());
            int found = group == null ? 0 : group.datasets().size();
            if (found != roles.size()) {
                throw new ConversionException(layer.describe() + " needs " + roles.size() + " weight array(s) ("
                        + String.join(", ", roles) + ") but " + file + " holds " + (found == 0 ? "none"
                        : found + " (" + group.datasets().stream().map(d -> d.path() + " " + d.describeShape())
                        .toList() + ")") + " for it. Use the weights saved with this architecture (layer names "
                        + "must match); a file cut short also loses its last layers.");
            }
        }
    }

    private static KerasModel importModel(KerasSource source) throws ConversionException {
        String json = source.architecture().forModelImport(source.kerasVersion(), source.backend().orElse(null));
        KerasModelBuilder builder = new KerasModelBuilder(new KerasModelConfiguration());
        try {
            builder.modelJson(json).enforceTrainingConfig(false);
            if (source.weightsRoot().isEmpty()) {
                builder.weightsHdf5FilenameNoRoot(source.weightsFile().toString());
            } else {
                builder.weightsHdf5Filename(source.weightsFile().toString());
            }
            return source.architecture().sequential() ? builder.buildSequential() : builder.buildModel();
        } catch (IOException | InvalidKerasConfigurationException | UnsupportedKerasConfigurationException
                 | RuntimeException e) {
            builder.close();
            throw new ConversionException("deeplearning4j-modelimport cannot import " + source.modelFile()
                    + (source.weightsFile().equals(source.modelFile()) ? "" : " with " + source.weightsFile()) + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Maps modelimport's layers in order and returns the input blob. A Sequential model's input is the one Keras adds
     * in front of it, which Keras names after the first layer ({@code conv1_1_input}); modelimport calls it
     * {@code input1}.
     */
    private String mapLayers(KerasSource source, KerasModel imported, KerasMappingContext context)
            throws ConversionException {
        Map<String, KerasArchitecture.LayerSpec> specs = new LinkedHashMap<>();
        source.architecture().layers().forEach(layer -> specs.put(layer.name(), layer));
        Map<String, String> renamed = new HashMap<>();
        String input = null;
        for (KerasLayer layer : imported.getLayersOrdered()) {
            KerasArchitecture.LayerSpec spec = specs.get(layer.getLayerName());
            if (spec == null && layer instanceof KerasInput) {
                String name = source.architecture().layers().get(0).name() + "_input";
                renamed.put(layer.getLayerName(), name);
                spec = new KerasArchitecture.LayerSpec(name, "InputLayer", JsonNodeFactory.instance.objectNode());
            }
            if (spec == null) {
                throw new ConversionException("modelimport added layer '" + layer.getLayerName() + "' ("
                        + layer.getClassName() + ") to " + source.modelFile() + "; please report this with the model.");
            }
            if (layer instanceof KerasInput) {
                if (input != null) {
                    throw new ConversionException(source.modelFile() + " has more than one input ('" + input + "', '"
                            + spec.name() + "'); dilation4j imports single-input image networks.");
                }
                input = spec.name();
            }
            List<String> inbound = new ArrayList<>();
            for (String name : layer.getInboundLayerNames()) {
                inbound.add(renamed.getOrDefault(name, name));
            }
            KerasNode node = KerasNode.of(spec, layer, inbound);
            context.graph().claimTops(node.asLayer());
            mappings.mapperFor(spec, source.modelFile()).map(node, context);
        }
        if (input == null) {
            throw new ConversionException(source.modelFile() + " has no input layer.");
        }
        return input;
    }

    /** The image ordering of the network: that of its first layer that declares one, else channels last. */
    private static TensorLayout modelLayout(KerasArchitecture architecture) {
        for (KerasArchitecture.LayerSpec layer : architecture.layers()) {
            Optional<Boolean> channelsFirst = layer.channelsFirst();
            if (channelsFirst.isPresent()) {
                return channelsFirst.get() ? TensorLayout.CHANNELS_FIRST : TensorLayout.CHANNELS_LAST;
            }
        }
        return TensorLayout.CHANNELS_LAST;
    }
}
