package ai.dilation4j.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Reverse;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.converter.RandomCaffeModel;
import ai.dilation4j.converter.api.ProgressListener;
import ai.dilation4j.converter.caffe.CaffeModelReader;
import ai.dilation4j.converter.caffe.proto.Caffe.BlobProto;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.caffe.proto.Caffe.NetParameter;

/**
 * A small DilatedNet-shaped Caffe network and its Keras port with the same random weights, as nicolov/
 * segmentation_keras ports the real one: valid 3x3 convolutions with ReLU, 2x2 max pools, dilated convolutions (rates
 * 2 and 4), dropout, a linear 1x1 {@code fc_final}, optionally the context module ({@code ZeroPadding2D(33)} then
 * dilations 1, 1, 2, 4, 8, 16, 1 and a 1x1 {@code ctx_final}; Caffe pads the first context convolution by 33
 * instead), and a softmax head. The Keras files are written in the layouts of Keras 1.2.1 and 2.2.4.
 */
public final class KerasTwin {

    /** How the Keras port ends. */
    public enum Head {
        /** {@code Reshape((h*w, C))} then {@code Activation('softmax')}, as in segmentation_keras. */
        RESHAPE_SOFTMAX,
        /** Keras 2 {@code Softmax(axis)} over the channel axis of the 4-D map. */
        SOFTMAX_LAYER,
        /** No softmax: the class scores are the output. */
        SCORES
    }

    /**
     * How the Keras port is written.
     *
     * @param kerasVersion  "1.2.1" or "2.2.4"
     * @param channelsFirst 'th' / channels_first instead of 'tf' / channels_last
     * @param backend       the backend recorded in the file; Theano kernels are stored flipped
     */
    public record Flavor(String kerasVersion, boolean channelsFirst, String backend, Head head) {
        boolean keras1() {
            return kerasVersion.startsWith("1");
        }

        boolean theano() {
            return backend.equals("theano");
        }
    }

    private sealed interface Step permits Conv, Pool, Drop, Pad {
        String name();
    }

    /** A convolution, 'valid' unless {@code same}, with dilations per axis. */
    private record Conv(String name, int out, int kernel, int dilation, int dilationW, boolean same, boolean relu)
            implements Step {
        Conv(String name, int out, int kernel, int dilation, boolean relu) {
            this(name, out, kernel, dilation, dilation, false, relu);
        }

        int samePad() {
            return same ? dilation * (kernel - 1) / 2 : 0;
        }
    }

    private record Pool(String name, int size) implements Step {
        Pool(String name) {
            this(name, 2);
        }
    }

    private record Drop(String name) implements Step {
    }

    private record Pad(String name, int pad) implements Step {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Step> steps;
    private final int height;
    private final int width;
    private final int classes;
    private final boolean functional;

    private KerasTwin(List<Step> steps, int height, int width, int classes) {
        this(steps, height, width, classes, false);
    }

    private KerasTwin(List<Step> steps, int height, int width, int classes, boolean functional) {
        this.steps = List.copyOf(steps);
        this.height = height;
        this.width = width;
        this.classes = classes;
        this.functional = functional;
    }

    /**
     * The same network written as a functional {@code Model} (Keras 2): an {@code InputLayer} named {@code image},
     * each layer with its inbound node.
     */
    public KerasTwin functional() {
        return new KerasTwin(steps, height, width, classes, true);
    }

    /**
     * DilatedNet's front end with reduced widths on a 92x100 input: conv1 and conv2 blocks with pools, dilated
     * conv5 (rate 2), fc6 (3x3, rate 4), fc7, fc_final; the output is 4x6. Every pooled size is even, where Keras's
     * and Caffe's pooling agree.
     */
    public static KerasTwin frontEnd() {
        return frontEnd(92, 100);
    }

    /** The front end on another input size (odd sizes make Keras's pooling round down where Caffe's rounds up). */
    public static KerasTwin frontEnd(int height, int width) {
        return frontEnd(height, width, 1);
    }

    /** The front end with every convolution {@code widthScale} times as wide (for timing at realistic widths). */
    public static KerasTwin frontEnd(int height, int width, int widthScale) {
        List<Step> steps = frontEndSteps().stream()
                .map(step -> step instanceof Conv conv && !conv.name().equals("fc_final")
                        ? new Conv(conv.name(), conv.out() * widthScale, conv.kernel(), conv.dilation(), conv.relu())
                        : step)
                .toList();
        return new KerasTwin(steps, height, width, 5);
    }

    /** The front end followed by the context module. */
    public static KerasTwin withContext() {
        List<Step> steps = new ArrayList<>(frontEndSteps());
        steps.add(new Pad("ctx_pad", 33));
        steps.add(new Conv("ctx_conv1_1", 10, 3, 1, true));
        steps.add(new Conv("ctx_conv1_2", 10, 3, 1, true));
        steps.add(new Conv("ctx_conv2_1", 10, 3, 2, true));
        steps.add(new Conv("ctx_conv3_1", 10, 3, 4, true));
        steps.add(new Conv("ctx_conv4_1", 10, 3, 8, true));
        steps.add(new Conv("ctx_conv5_1", 10, 3, 16, true));
        steps.add(new Conv("ctx_fc1", 10, 3, 1, true));
        steps.add(new Conv("ctx_final", 5, 1, 1, false));
        return new KerasTwin(steps, 92, 100, 5);
    }

    /**
     * A network with the tiling geometry of the pascal_voc preset, like the CLI tests' tiny Caffe model: a 388x396
     * tile gives a 2x3 output of 21 classes. Its 'same' convolutions are Caffe's padded ones, its 4x4 pool divides
     * the map exactly (so Keras and Caffe agree), and the last convolution has dilations 95 and 96.
     */
    public static KerasTwin pascalTiny() {
        return new KerasTwin(List.of(
                new Conv("conv1", 8, 3, 1, 1, true, true), new Pool("pool1", 4),
                new Conv("wide", 128, 1, 1, false), new Conv("mix", 8, 3, 1, 1, true, false),
                new Conv("ctx", 21, 2, 95, 96, false, false)), 388, 396, 21);
    }

    /**
     * DilatedNet-8 at full size (fyu/dilation's dilation8_pascal_voc: VGG-16 without pool4/pool5, conv5 at rate 2,
     * fc6 7x7 at rate 4, fc7, fc-final, the context module with 42 channels) on its 900x900 tile: 134 M weights, for
     * timing an import against its Caffe twin. Every pooled size is even at 900x900, where Keras's and Caffe's
     * pooling agree.
     */
    public static KerasTwin dilation8() {
        List<Step> steps = new ArrayList<>();
        int[][] blocks = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};
        for (int block = 0; block < blocks.length; block++) {
            for (int i = 0; i < blocks[block].length; i++) {
                steps.add(new Conv("conv" + (block + 1) + "_" + (i + 1), blocks[block][i], 3, block == 4 ? 2 : 1,
                        true));
            }
            if (block < 3) {
                steps.add(new Pool("pool" + (block + 1)));
            }
        }
        steps.add(new Conv("fc6", 4096, 7, 4, true));
        steps.add(new Drop("drop6"));
        steps.add(new Conv("fc7", 4096, 1, 1, true));
        steps.add(new Drop("drop7"));
        steps.add(new Conv("fc_final", 21, 1, 1, false));
        steps.add(new Pad("ctx_pad", 33));
        int[] dilations = {1, 1, 2, 4, 8, 16};
        for (int i = 0; i < dilations.length; i++) {
            steps.add(new Conv("ctx_conv" + (i < 2 ? "1_" + (i + 1) : (i) + "_1"), 42, 3, dilations[i], true));
        }
        steps.add(new Conv("ctx_fc1", 42, 3, 1, true));
        steps.add(new Conv("ctx_final", 21, 1, 1, false));
        return new KerasTwin(steps, 900, 900, 21);
    }

    private static List<Step> frontEndSteps() {
        return List.of(
                new Conv("conv1_1", 4, 3, 1, true), new Conv("conv1_2", 4, 3, 1, true), new Pool("pool1"),
                new Conv("conv2_1", 6, 3, 1, true), new Conv("conv2_2", 6, 3, 1, true), new Pool("pool2"),
                new Conv("conv5_1", 8, 3, 2, true), new Conv("conv5_2", 8, 3, 2, true),
                new Conv("fc6", 12, 3, 4, true), new Drop("drop6"),
                new Conv("fc7", 12, 1, 1, true), new Drop("drop7"),
                new Conv("fc_final", 5, 1, 1, false));
    }

    public int classes() {
        return classes;
    }

    public long[] inputShape() {
        return new long[] {1, 3, height, width};
    }

    /** The names of the convolution layers, which are blobs in both networks. */
    public List<String> convolutions() {
        return steps.stream().filter(step -> step instanceof Conv).map(Step::name).toList();
    }

    /** The Caffe twin's deploy prototxt; its softmax is {@code prob}. */
    public String prototxt() {
        StringBuilder text = new StringBuilder("name: \"dilated_twin\"\ninput: \"data\"\n");
        text.append("input_shape { dim: 1 dim: 3 dim: ").append(height).append(" dim: ").append(width).append(" }\n");
        String bottom = "data";
        int pendingPad = 0;
        for (Step step : steps) {
            if (step instanceof Conv conv) {
                text.append("layer { name: \"").append(conv.name()).append("\" type: \"Convolution\" bottom: \"")
                        .append(bottom).append("\" top: \"").append(conv.name()).append("\" convolution_param { ")
                        .append("num_output: ").append(conv.out()).append(" kernel_size: ").append(conv.kernel())
                        .append(" dilation: ").append(conv.dilation()).append(" dilation: ").append(conv.dilationW())
                        .append(" pad: ").append(pendingPad + conv.samePad()).append(" } }\n");
                if (conv.relu()) {
                    text.append("layer { name: \"relu_").append(conv.name()).append("\" type: \"ReLU\" bottom: \"")
                            .append(conv.name()).append("\" top: \"").append(conv.name()).append("\" }\n");
                }
                bottom = conv.name();
                pendingPad = 0;
            } else if (step instanceof Pool pool) {
                text.append("layer { name: \"").append(pool.name()).append("\" type: \"Pooling\" bottom: \"")
                        .append(bottom).append("\" top: \"").append(pool.name())
                        .append("\" pooling_param { pool: MAX kernel_size: ").append(pool.size()).append(" stride: ")
                        .append(pool.size()).append(" } }\n");
                bottom = pool.name();
            } else if (step instanceof Drop drop) {
                text.append("layer { name: \"").append(drop.name()).append("\" type: \"Dropout\" bottom: \"")
                        .append(bottom).append("\" top: \"").append(bottom)
                        .append("\" dropout_param { dropout_ratio: 0.5 } }\n");
            } else if (step instanceof Pad pad) {
                pendingPad = pad.pad();
            }
        }
        text.append("layer { name: \"prob\" type: \"Softmax\" bottom: \"").append(bottom).append("\" top: \"prob\" }\n");
        return text.toString();
    }

    /** Writes the Caffe twin with random weights; returns the prototxt, beside which the caffemodel lies. */
    public Path writeCaffe(Path dir, long seed) throws Exception {
        Path prototxt = Files.writeString(dir.resolve("twin.prototxt"), prototxt());
        RandomCaffeModel.write(prototxt, caffemodel(prototxt), seed, RandomCaffeModel.Format.V2);
        return prototxt;
    }

    public static Path caffemodel(Path prototxt) {
        return prototxt.resolveSibling("twin.caffemodel");
    }

    /** The Caffe weights by layer: kernel {@code [out, in, kh, kw]} and bias. */
    public static Map<String, List<INDArray>> caffeWeights(Path caffemodel) throws Exception {
        Map<String, List<INDArray>> weights = new LinkedHashMap<>();
        CaffeModelReader.read(caffemodel, (layer, blobs) -> weights.put(layer,
                blobs.stream().map(blob -> blob.values().reshape('c', blob.shape()).dup()).toList()),
                ProgressListener.NONE);
        return weights;
    }

    /**
     * The weights of the same network trained on RGB instead of BGR images: the kernels {@code [out, in, kh, kw]} of
     * the given layers read their input channels in reverse order.
     */
    public static Map<String, List<INDArray>> inputChannelsReversed(Map<String, List<INDArray>> weights,
                                                                    String... layers) {
        Map<String, List<INDArray>> reversed = new LinkedHashMap<>(weights);
        for (String layer : layers) {
            INDArray kernel = weights.get(layer).get(0);
            INDArray flipped = Nd4j.createUninitialized(kernel.dataType(), kernel.shape());
            Nd4j.exec(new Reverse(kernel.dup('c'), flipped, 1));
            reversed.put(layer, List.of(flipped, weights.get(layer).get(1)));
        }
        return reversed;
    }

    /** Writes {@code caffemodel} to {@code target} with the blobs of the layers in {@code weights} replaced. */
    public static Path writeCaffemodel(Path caffemodel, Map<String, List<INDArray>> weights, Path target)
            throws Exception {
        NetParameter.Builder net = NetParameter.parseFrom(Files.readAllBytes(caffemodel)).toBuilder();
        for (LayerParameter.Builder layer : net.getLayerBuilderList()) {
            List<INDArray> blobs = weights.get(layer.getName());
            for (int i = 0; blobs != null && i < blobs.size(); i++) {
                float[] values = blobs.get(i).dup('c').data().asFloat();
                BlobProto.Builder blob = layer.getBlobsBuilder(i).clearData();
                for (float value : values) {
                    blob.addData(value);
                }
            }
        }
        return Files.write(target, net.build().toByteArray());
    }

    /** The Keras architecture, as {@code model.to_json()} writes it for the flavor. */
    public String kerasJson(Flavor flavor) {
        ObjectNode root = JSON.createObjectNode();
        root.put("class_name", functional ? "Model" : "Sequential");
        ArrayNode layers = JSON.createArrayNode();
        for (ObjectNode layer : kerasLayers(flavor)) {
            layers.add(layer);
        }
        if (functional) {
            ObjectNode config = root.putObject("config");
            config.put("name", "model_1");
            config.set("layers", layers);
            config.putArray("input_layers").addArray().add("image").add(0).add(0);
            String last = layers.get(layers.size() - 1).get("name").asText();
            config.putArray("output_layers").addArray().add(last).add(0).add(0);
            root.put("backend", flavor.backend());
        } else if (flavor.keras1()) {
            root.set("config", layers);
        } else {
            ObjectNode config = root.putObject("config");
            config.put("name", "sequential_1");
            config.set("layers", layers);
            root.put("backend", flavor.backend());
        }
        root.put("keras_version", flavor.kerasVersion());
        return root.toString();
    }

    /** Writes a full-model file as {@code model.save()} does. */
    public void writeKerasModel(Path file, Flavor flavor, Map<String, List<INDArray>> caffeWeights) {
        try (KerasHdf5Writer h5 = KerasHdf5Writer.create(file)) {
            h5.attribute("", "keras_version", flavor.kerasVersion());
            if (!flavor.keras1()) {
                h5.attribute("", "backend", flavor.backend());
            }
            h5.attribute("", "model_config", kerasJson(flavor));
            writeWeights(h5, "model_weights", flavor, caffeWeights, Map.of());
        }
    }

    /** Writes a weights-only file as {@code model.save_weights()} does. */
    public void writeKerasWeights(Path file, Flavor flavor, Map<String, List<INDArray>> caffeWeights) {
        writeKerasWeights(file, flavor, caffeWeights, Map.of());
    }

    /**
     * Writes a weights-only file in which the kernels of the given layers declare the given shapes but occupy no
     * space, as a hostile file would.
     */
    public void writeKerasWeights(Path file, Flavor flavor, Map<String, List<INDArray>> caffeWeights,
                                  Map<String, long[]> hollowKernels) {
        try (KerasHdf5Writer h5 = KerasHdf5Writer.create(file)) {
            writeWeights(h5, "", flavor, caffeWeights, hollowKernels);
        }
    }

    private void writeWeights(KerasHdf5Writer h5, String root, Flavor flavor,
                              Map<String, List<INDArray>> caffeWeights, Map<String, long[]> hollowKernels) {
        List<String> names = kerasLayers(flavor).stream().map(layer -> layer.get("config").get("name").asText())
                .toList();
        h5.attribute(root, "layer_names", names);
        h5.attribute(root, "backend", flavor.backend());
        h5.attribute(root, "keras_version", flavor.kerasVersion());
        for (String name : names) {
            String group = root.isEmpty() ? name : root + "/" + name;
            List<INDArray> blobs = caffeWeights.get(name);
            if (blobs == null) {
                h5.attribute(group, "weight_names", List.of());
                continue;
            }
            List<String> weightNames = flavor.keras1()
                    ? List.of(name + "_W" + (flavor.theano() ? "" : ":0"), name + "_b" + (flavor.theano() ? "" : ":0"))
                    : List.of(name + "/kernel:0", name + "/bias:0");
            h5.attribute(group, "weight_names", weightNames);
            INDArray kernel = kerasKernel(blobs.get(0), flavor);
            if (hollowKernels.containsKey(name)) {
                h5.hollowDataset(group + "/" + weightNames.get(0), hollowKernels.get(name));
            } else {
                h5.dataset(group + "/" + weightNames.get(0), kernel.shape(), kernel.data().asFloat());
            }
            h5.dataset(group + "/" + weightNames.get(1), blobs.get(1).shape(), blobs.get(1).dup('c').data().asFloat());
        }
    }

    /** A Caffe kernel {@code [out, in, kh, kw]} as the flavor's Keras stores it. */
    static INDArray kerasKernel(INDArray caffe, Flavor flavor) {
        INDArray kernel = caffe.dup('c');
        if (flavor.theano()) {
            // Theano convolves: its kernel is the cross-correlation kernel rotated by 180 degrees.
            INDArray flipped = Nd4j.createUninitialized(kernel.dataType(), kernel.shape());
            Nd4j.exec(new Reverse(kernel, flipped, 2, 3));
            kernel = flipped;
        }
        boolean theanoLayout = flavor.keras1() && flavor.channelsFirst();
        return theanoLayout ? kernel : kernel.permute(2, 3, 1, 0).dup('c');
    }

    private List<ObjectNode> kerasLayers(Flavor flavor) {
        List<ObjectNode> layers = sequentialLayers(flavor);
        if (!functional) {
            return layers;
        }
        ObjectNode input = layer("InputLayer", "image");
        ObjectNode inputConfig = (ObjectNode) input.get("config");
        inputConfig.set("batch_input_shape", layers.get(0).get("config").get("batch_input_shape"));
        inputConfig.put("dtype", "float32").put("sparse", false);
        ((ObjectNode) layers.get(0).get("config")).remove(List.of("batch_input_shape", "dtype"));
        List<ObjectNode> graph = new ArrayList<>();
        input.put("name", "image");
        input.putArray("inbound_nodes");
        graph.add(input);
        String previous = "image";
        for (ObjectNode layer : layers) {
            String name = layer.get("config").get("name").asText();
            layer.put("name", name);
            layer.putArray("inbound_nodes").addArray().addArray().add(previous).add(0).add(0).addObject();
            graph.add(layer);
            previous = name;
        }
        return graph;
    }

    private List<ObjectNode> sequentialLayers(Flavor flavor) {
        List<ObjectNode> layers = new ArrayList<>();
        boolean first = true;
        long h = height;
        long w = width;
        long channels = 3;
        for (Step step : steps) {
            ObjectNode layer = JSON.createObjectNode();
            ObjectNode config = JSON.createObjectNode();
            config.put("name", step.name());
            config.put("trainable", true);
            if (first) {
                ArrayNode shape = config.putArray("batch_input_shape").addNull();
                if (flavor.channelsFirst()) {
                    shape.add(3).add(height).add(width);
                } else {
                    shape.add(height).add(width).add(3);
                }
                config.put(flavor.keras1() ? "input_dtype" : "dtype", "float32");
                first = false;
            }
            if (step instanceof Conv conv) {
                convolution(layer, config, conv, flavor);
                if (!conv.same()) {
                    h -= (long) conv.dilation() * (conv.kernel() - 1);
                    w -= (long) conv.dilationW() * (conv.kernel() - 1);
                }
                channels = conv.out();
            } else if (step instanceof Pool pool) {
                layer.put("class_name", "MaxPooling2D");
                config.putArray("pool_size").add(pool.size()).add(pool.size());
                config.putArray("strides").add(pool.size()).add(pool.size());
                config.put(flavor.keras1() ? "border_mode" : "padding", "valid");
                ordering(config, flavor);
                h = (h - pool.size()) / pool.size() + 1;
                w = (w - pool.size()) / pool.size() + 1;
            } else if (step instanceof Drop) {
                layer.put("class_name", "Dropout");
                config.put(flavor.keras1() ? "p" : "rate", 0.5);
            } else if (step instanceof Pad pad) {
                layer.put("class_name", "ZeroPadding2D");
                if (flavor.keras1()) {
                    config.putArray("padding").add(pad.pad()).add(pad.pad());
                } else {
                    ArrayNode padding = config.putArray("padding");
                    padding.addArray().add(pad.pad()).add(pad.pad());
                    padding.addArray().add(pad.pad()).add(pad.pad());
                }
                ordering(config, flavor);
                h += 2L * pad.pad();
                w += 2L * pad.pad();
            }
            layer.set("config", config);
            layers.add(layer);
        }
        switch (flavor.head()) {
            case RESHAPE_SOFTMAX -> {
                ObjectNode reshape = layer("Reshape", "reshape_1");
                ((ObjectNode) reshape.get("config")).putArray("target_shape").add(h * w).add(channels);
                layers.add(reshape);
                ObjectNode softmax = layer("Activation", "prob");
                ((ObjectNode) softmax.get("config")).put("activation", "softmax");
                layers.add(softmax);
            }
            case SOFTMAX_LAYER -> {
                ObjectNode softmax = layer("Softmax", "prob");
                ((ObjectNode) softmax.get("config")).put("axis", flavor.channelsFirst() ? 1 : -1);
                layers.add(softmax);
            }
            case SCORES -> {
            }
        }
        return layers;
    }

    private static ObjectNode layer(String className, String name) {
        ObjectNode layer = JSON.createObjectNode();
        layer.put("class_name", className);
        layer.putObject("config").put("name", name).put("trainable", true);
        return layer;
    }

    private static void convolution(ObjectNode layer, ObjectNode config, Conv conv, Flavor flavor) {
        config.put("activation", conv.relu() ? "relu" : "linear");
        if (flavor.keras1()) {
            boolean dilated = conv.dilation() > 1 || conv.dilationW() > 1;
            layer.put("class_name", dilated ? "AtrousConvolution2D" : "Convolution2D");
            config.put("nb_filter", conv.out());
            config.put("nb_row", conv.kernel());
            config.put("nb_col", conv.kernel());
            config.put("init", "glorot_uniform");
            config.put("border_mode", conv.same() ? "same" : "valid");
            config.putArray("subsample").add(1).add(1);
            if (dilated) {
                config.putArray("atrous_rate").add(conv.dilation()).add(conv.dilationW());
            }
            for (String empty : List.of("W_regularizer", "b_regularizer", "activity_regularizer", "W_constraint",
                    "b_constraint")) {
                config.putNull(empty);
            }
            config.put("bias", true);
        } else {
            layer.put("class_name", "Conv2D");
            config.put("filters", conv.out());
            config.putArray("kernel_size").add(conv.kernel()).add(conv.kernel());
            config.putArray("strides").add(1).add(1);
            config.put("padding", conv.same() ? "same" : "valid");
            config.putArray("dilation_rate").add(conv.dilation()).add(conv.dilationW());
            config.put("use_bias", true);
            ObjectNode init = config.putObject("kernel_initializer");
            init.put("class_name", "VarianceScaling");
            init.putObject("config").put("scale", 1.0).put("mode", "fan_avg").put("distribution", "uniform")
                    .putNull("seed");
            config.putObject("bias_initializer").put("class_name", "Zeros").putObject("config");
            for (String empty : List.of("kernel_regularizer", "bias_regularizer", "activity_regularizer",
                    "kernel_constraint", "bias_constraint")) {
                config.putNull(empty);
            }
        }
        ordering(config, flavor);
    }

    private static void ordering(ObjectNode config, Flavor flavor) {
        if (flavor.keras1()) {
            config.put("dim_ordering", flavor.channelsFirst() ? "th" : "tf");
        } else {
            config.put("data_format", flavor.channelsFirst() ? "channels_first" : "channels_last");
        }
    }
}
