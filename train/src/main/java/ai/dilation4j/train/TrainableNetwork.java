package ai.dilation4j.train;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

import ai.dilation4j.runtime.InvalidInputException;

/**
 * A converted network cut for training. {@link #model()} is the whole network, what is saved and validated. With
 * {@link Freeze#FRONTEND} the front end (every vertex the first {@code ct_*} layer depends on) is a separate
 * inference graph whose output feeds {@link #trainable()}, a graph of the context module alone: the front end runs
 * the runtime's fast inference convolutions and has no backward pass at all. With {@link Freeze#NONE} the trainable
 * graph is the whole network, sharing the model's parameter array.
 */
final class TrainableNetwork implements AutoCloseable {

    /** The trainable graph's input with the front end frozen: the front end's output. */
    static final String FEATURES = "features";
    /** fyu/dilation's filler for a final classifier layer: weights N(0, 0.001²), biases 0. */
    static final double FRESH_FINAL_STD = 0.001;

    private final ComputationGraph model;
    private final ComputationGraph frontEnd;
    private final ComputationGraph trainable;
    private final String finalLayer;
    private final boolean freshFinalLayer;

    private TrainableNetwork(ComputationGraph model, ComputationGraph frontEnd, ComputationGraph trainable,
                             String finalLayer, boolean freshFinalLayer) {
        this.model = model;
        this.frontEnd = frontEnd;
        this.trainable = trainable;
        this.finalLayer = finalLayer;
        this.freshFinalLayer = freshFinalLayer;
    }

    /**
     * Cuts {@code pretrained} for training {@code classes} classes; a class count other than the network's replaces
     * its final layer (the one feeding the softmax) with a fresh one. The network takes {@code pretrained} over: it
     * closes it (at once when the final layer is replaced, else in {@link #close()}).
     *
     * @param modelName for messages
     */
    static TrainableNetwork of(ComputationGraph pretrained, String modelName, int classes, Freeze freeze,
                               double learningRate, int learningRateStep, long seed) throws InvalidInputException {
        ComputationGraphConfiguration conf = pretrained.getConfiguration();
        if (conf.getNetworkInputs().size() != 1 || conf.getNetworkOutputs().size() != 1) {
            throw new InvalidInputException("Model " + modelName + " has " + conf.getNetworkInputs().size()
                    + " inputs and " + conf.getNetworkOutputs().size() + " outputs; training takes one of each.");
        }
        String input = conf.getNetworkInputs().get(0);
        String output = conf.getNetworkOutputs().get(0);
        if (!(conf.getVertices().get(output) instanceof LayerVertex outputVertex)
                || !(outputVertex.getLayerConf().getLayer() instanceof CnnLossLayer loss)
                || !(loss.getLossFn() instanceof org.nd4j.linalg.lossfunctions.impl.LossMCXENT)) {
            throw new InvalidInputException("Model " + modelName + " does not end in a per-pixel softmax ("
                    + output + "); convert the Caffe model with its Softmax layer (the deploy prototxt's prob).");
        }
        List<String> feeding = conf.getVertexInputs().get(output);
        String finalLayer = feeding.get(0);
        if (feeding.size() != 1 || !(conf.getVertices().get(finalLayer) instanceof LayerVertex finalVertex)
                || !(finalVertex.getLayerConf().getLayer() instanceof FeedForwardLayer finalConf)) {
            throw new InvalidInputException("Model " + modelName + ": the softmax " + output + " is not fed by one "
                    + "convolution; training needs the final classifier layer right before it.");
        }
        List<String> order = topologicalOrder(pretrained);
        boolean fresh = finalConf.getNOut() != classes;

        // Where the front end ends is found (and refused) before anything is allocated.
        Set<String> frozen = Set.of();
        Set<String> trainableVertices = new LinkedHashSet<>(order);
        String frontEndOutput = null;
        if (freeze == Freeze.FRONTEND) {
            String firstContext = order.stream().filter(name -> name.startsWith("ct_")).findFirst()
                    .orElseThrow(() -> new InvalidInputException("Model " + modelName + " has no context module "
                            + "(no ct_* layers) to train with the front end frozen; use --freeze none."));
            frozen = ancestors(conf, firstContext, input);
            trainableVertices.removeAll(frozen);
            Set<String> boundary = new LinkedHashSet<>();
            for (String name : trainableVertices) {
                for (String from : conf.getVertexInputs().get(name)) {
                    if (!trainableVertices.contains(from)) {
                        boundary.add(from);
                    }
                }
            }
            if (boundary.size() != 1 || boundary.contains(input)) {
                throw new InvalidInputException("Model " + modelName + ": the layers after " + firstContext
                        + " read " + boundary + "; freezing the front end needs one front-end output feeding the "
                        + "context module. Use --freeze none.");
            }
            frontEndOutput = boundary.iterator().next();
        }

        ComputationGraph model = pretrained;
        if (fresh) {
            ComputationGraphConfiguration freshConf = rebuild(conf, order, Set.copyOf(order), input, input, output,
                    seed, (name, layer) -> name.equals(finalLayer) ? freshFinal(layer, classes) : layer);
            model = new ComputationGraph(freshConf);
            model.init();
            copyParameters(pretrained, model, Set.of(finalLayer));
            pretrained.close(); // its weights live on in the model; this network now owns the model instead
        }

        ComputationGraph frontEnd = null;
        ComputationGraph trainable;
        UnaryOperator<Layer> solver = layer -> withSolver(layer, learningRate, learningRateStep);
        if (freeze == Freeze.FRONTEND) {
            ComputationGraphConfiguration frontConf = rebuild(model.getConfiguration(), order, frozen, input, input,
                    frontEndOutput, seed, (name, layer) -> layer);
            frontEnd = sharingParameters(model, frontConf);
            ComputationGraphConfiguration trainConf = rebuild(model.getConfiguration(), order, trainableVertices,
                    frontEndOutput, FEATURES, output, seed, (name, layer) -> solver.apply(layer));
            trainable = new ComputationGraph(trainConf);
            trainable.init();
            copyParameters(model, trainable, Set.of());
        } else {
            ComputationGraphConfiguration trainConf = rebuild(model.getConfiguration(), order, Set.copyOf(order),
                    input, input, output, seed, (name, layer) -> solver.apply(layer));
            trainable = new ComputationGraph(trainConf);
            trainable.init(model.params(), false); // the same layout: the model's parameters train in place
        }
        return new TrainableNetwork(model, frontEnd, trainable, finalLayer, fresh);
    }

    ComputationGraph model() {
        return model;
    }

    ComputationGraph trainable() {
        return trainable;
    }

    boolean freshFinalLayer() {
        return freshFinalLayer;
    }

    String finalLayer() {
        return finalLayer;
    }

    /** What the trainable graph reads for a batch of crops: the crops, or the frozen front end's output for them. */
    INDArray trainableInput(INDArray crops) {
        return frontEnd == null ? crops : frontEnd.outputSingle(false, crops);
    }

    /** Brings the trained parameters into {@link #model()} (a no-op when they are shared). */
    void syncModel() {
        if (frontEnd != null) {
            copyParameters(trainable, model, Set.of());
        }
    }

    /** The network output's rows and columns for a square input of {@code size}, from DL4J's shape inference. */
    long[] outputSize(int size) {
        ComputationGraphConfiguration copy = model.getConfiguration().clone();
        Map<String, InputType> types = copy.getLayerActivationTypes(InputType.convolutional(size, size, 3));
        InputType.InputTypeConvolutional out = (InputType.InputTypeConvolutional)
                types.get(copy.getNetworkOutputs().get(0));
        return new long[] {out.getHeight(), out.getWidth()};
    }

    @Override
    public void close() {
        if (frontEnd != null) {
            frontEnd.close();
            trainable.close();
        }
        model.close();
    }

    /** Each vertex's configuration kept, with layers passed through {@code edit}; {@code input} renamed. */
    private static ComputationGraphConfiguration rebuild(ComputationGraphConfiguration conf, List<String> order,
                                                         Set<String> keep, String input, String newInput,
                                                         String output, long seed, LayerEdit edit) {
        ComputationGraphConfiguration.GraphBuilder builder = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(conf.getDataType())
                .trainingWorkspaceMode(conf.getTrainingWorkspaceMode())
                .inferenceWorkspaceMode(conf.getInferenceWorkspaceMode())
                .graphBuilder()
                .addInputs(newInput);
        for (String name : order) {
            if (!keep.contains(name)) {
                continue;
            }
            String[] inputs = conf.getVertexInputs().get(name).stream()
                    .map(from -> from.equals(input) ? newInput : from).toArray(String[]::new);
            GraphVertex vertex = conf.getVertices().get(name);
            if (vertex instanceof LayerVertex layerVertex) {
                Layer layer = edit.apply(name, layerVertex.getLayerConf().getLayer().clone());
                builder.addLayer(name, layer, layerVertex.getPreProcessor(), inputs);
            } else {
                builder.addVertex(name, vertex.clone(), inputs);
            }
        }
        return builder.setOutputs(output).build();
    }

    @FunctionalInterface
    private interface LayerEdit {
        Layer apply(String name, Layer layer);
    }

    /** fyu's solver on one layer: SGD with momentum (Nesterov's), L2 decay on weights only, biases at 2x the rate. */
    private static Layer withSolver(Layer layer, double learningRate, int step) {
        if (layer instanceof BaseLayer base) {
            base.setIUpdater(new Nesterovs(schedule(learningRate, step), TrainingOptions.MOMENTUM));
            base.setBiasUpdater(new Nesterovs(schedule(learningRate * TrainingOptions.BIAS_LEARNING_RATE_FACTOR, step),
                    TrainingOptions.MOMENTUM));
            List<Regularization> decay = new ArrayList<>(List.of(new L2Regularization(TrainingOptions.WEIGHT_DECAY)));
            base.setRegularization(decay);
            base.setRegularizationBias(new ArrayList<>());
            base.setGradientNormalization(GradientNormalization.None);
            base.setWeightNoise(null);
        }
        return layer;
    }

    static ISchedule schedule(double learningRate, int step) {
        return new StepSchedule(ScheduleType.ITERATION, learningRate, TrainingOptions.GAMMA, step);
    }

    private static Layer freshFinal(Layer layer, int classes) {
        FeedForwardLayer classifier = (FeedForwardLayer) layer;
        classifier.setNOut(classes);
        classifier.setWeightInitFn(new WeightInitDistribution(new NormalDistribution(0, FRESH_FINAL_STD)));
        classifier.setBiasInit(0);
        return classifier;
    }

    /**
     * The front-end graph on the model's own parameter array where it can be: DL4J lays parameters out in topological
     * order, and every front-end vertex comes before the context module's, so the front end's are a prefix of the
     * model's (checked layer by layer; a copy otherwise). Sharing saves the front end's size (540 MB for DilatedNet-8).
     */
    private static ComputationGraph sharingParameters(ComputationGraph model, ComputationGraphConfiguration frontConf) {
        ComputationGraph frontEnd = new ComputationGraph(frontConf);
        long count = frontConf.getVertices().values().stream().mapToLong(v -> v.numParams(false)).sum();
        INDArray all = model.params();
        INDArray prefix = all.rank() == 1 ? all.get(NDArrayIndex.interval(0, count))
                : all.get(NDArrayIndex.point(0), NDArrayIndex.interval(0, count));
        frontEnd.init(prefix.reshape(1, count), false);
        for (org.deeplearning4j.nn.graph.vertex.GraphVertex vertex : frontEnd.getVertices()) {
            if (vertex.hasLayer() && vertex.getLayer().numParams() > 0
                    && !vertex.getLayer().params().equals(model.getLayer(vertex.getVertexName()).params())) {
                frontEnd.close();
                frontEnd = new ComputationGraph(frontConf);
                frontEnd.init();
                copyParameters(model, frontEnd, Set.of());
                return frontEnd;
            }
        }
        return frontEnd;
    }

    /** Copies the parameters of the layers of {@code target} that {@code source} has too, except {@code skip}. */
    private static void copyParameters(ComputationGraph source, ComputationGraph target, Set<String> skip) {
        for (org.deeplearning4j.nn.graph.vertex.GraphVertex vertex : target.getVertices()) {
            String name = vertex.getVertexName();
            if (vertex.hasLayer() && vertex.getLayer().numParams() > 0 && !skip.contains(name)
                    && source.getVertex(name) != null) {
                vertex.getLayer().setParams(source.getLayer(name).params());
            }
        }
    }

    private static List<String> topologicalOrder(ComputationGraph graph) {
        List<String> order = new ArrayList<>();
        for (int index : graph.topologicalSortOrder()) {
            org.deeplearning4j.nn.graph.vertex.GraphVertex vertex = graph.getVertices()[index];
            if (!vertex.isInputVertex()) {
                order.add(vertex.getVertexName());
            }
        }
        return order;
    }

    /** {@code vertex}'s inputs, their inputs and so on, without the network input. */
    private static Set<String> ancestors(ComputationGraphConfiguration conf, String vertex, String networkInput) {
        Set<String> found = new LinkedHashSet<>();
        Deque<String> pending = new ArrayDeque<>(conf.getVertexInputs().get(vertex));
        while (!pending.isEmpty()) {
            String name = pending.pop();
            if (!name.equals(networkInput) && found.add(name)) {
                pending.addAll(conf.getVertexInputs().get(name));
            }
        }
        return found;
    }
}
