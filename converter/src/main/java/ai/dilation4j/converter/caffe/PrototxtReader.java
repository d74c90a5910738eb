package ai.dilation4j.converter.caffe;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.TextFormat;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.caffe.CaffeNetDefinition.NetworkInput;
import ai.dilation4j.converter.caffe.proto.Caffe.BlobShape;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.caffe.proto.Caffe.NetParameter;
import ai.dilation4j.converter.caffe.proto.Caffe.V1LayerParameter;

/**
 * Reads a Caffe network definition in protobuf text format ({@code .prototxt}), in the current {@code layer}
 * form or the legacy V1 {@code layers} form, and brings it to a {@link CaffeNetDefinition}.
 */
public final class PrototxtReader {

    private static final TextFormat.Parser PARSER = TextFormat.Parser.newBuilder()
            .setAllowUnknownFields(true)
            .build();

    private PrototxtReader() {
    }

    public static CaffeNetDefinition read(Path prototxt) throws ConversionException {
        return parse(readBytes(prototxt), prototxt);
    }

    /** The file's bytes, for a caller that also records them (size, SHA-256) and so reads the file only once. */
    public static byte[] readBytes(Path prototxt) throws ConversionException {
        try {
            return Files.readAllBytes(prototxt);
        } catch (NoSuchFileException e) {
            throw new ConversionException("Prototxt file " + prototxt + " does not exist.", e);
        } catch (IOException e) {
            throw cannotRead(prototxt, e);
        }
    }

    /** Parses the bytes of a prototxt read from {@code source} (named in messages). */
    public static CaffeNetDefinition parse(byte[] bytes, Path source) throws ConversionException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw cannotRead(source, e);
        }
        NetParameter.Builder net = NetParameter.newBuilder();
        try {
            PARSER.merge(text, net);
        } catch (TextFormat.ParseException e) {
            throw new ConversionException("Syntax error in prototxt " + source + " at line " + e.getLine()
                    + ", column " + e.getColumn() + ": " + stripPosition(e.getMessage())
                    + ". Fix the file there; it must be a Caffe NetParameter in protobuf text format.", e);
        }
        return toDefinition(net.build(), source);
    }

    static CaffeNetDefinition toDefinition(NetParameter net, Path source) throws ConversionException {
        if (net.getLayerCount() > 0 && net.getLayersCount() > 0) {
            throw new ConversionException(source + " mixes 'layer' (current) and 'layers' (V1) definitions; "
                    + "Caffe rejects such files too. Use one form.");
        }
        List<LayerParameter> layers = new ArrayList<>();
        if (net.getLayersCount() > 0) {
            for (V1LayerParameter v1 : net.getLayersList()) {
                layers.add(V1LayerUpgrader.upgrade(v1, source));
            }
        } else {
            layers.addAll(net.getLayerList());
        }
        layers.removeIf(layer -> !TestPhaseFilter.includes(layer));

        List<NetworkInput> inputs = new ArrayList<>(legacyInputs(net, source));
        List<LayerParameter> computing = new ArrayList<>();
        for (LayerParameter layer : layers) {
            if (layer.getType().equals("Input")) {
                inputs.addAll(inputLayerInputs(layer, source));
            } else {
                computing.add(layer);
            }
        }
        if (inputs.isEmpty()) {
            throw new ConversionException(source + " declares no network input. Give one with `input: \"data\"` "
                    + "and `input_shape { dim: 1 dim: 3 dim: H dim: W }`, or an Input layer (a deploy prototxt, "
                    + "not a train_val one with data layers).");
        }
        return new CaffeNetDefinition(net.getName(), inputs, computing);
    }

    private static List<NetworkInput> legacyInputs(NetParameter net, Path source) throws ConversionException {
        List<NetworkInput> inputs = new ArrayList<>();
        int count = net.getInputCount();
        if (count == 0) {
            return inputs;
        }
        if (net.getInputShapeCount() > 0) {
            if (net.getInputShapeCount() != count) {
                throw new ConversionException(source + " has " + count + " input names but "
                        + net.getInputShapeCount() + " input_shape entries; give one shape per input.");
            }
            for (int i = 0; i < count; i++) {
                inputs.add(new NetworkInput(net.getInput(i), dims(net.getInputShape(i))));
            }
        } else if (net.getInputDimCount() == 4 * count) {
            for (int i = 0; i < count; i++) {
                long[] shape = new long[4];
                for (int d = 0; d < 4; d++) {
                    shape[d] = net.getInputDim(4 * i + d);
                }
                inputs.add(new NetworkInput(net.getInput(i), shape));
            }
        } else {
            throw new ConversionException(source + " names input '" + net.getInput(0) + "' without a usable shape: "
                    + "give `input_shape { dim: ... }` or four `input_dim` values (N, C, H, W) per input.");
        }
        return inputs;
    }

    private static List<NetworkInput> inputLayerInputs(LayerParameter layer, Path source) throws ConversionException {
        int shapes = layer.getInputParam().getShapeCount();
        if (shapes != 1 && shapes != layer.getTopCount()) {
            throw new ConversionException(source + ": Input layer '" + layer.getName() + "' has "
                    + layer.getTopCount() + " tops but " + shapes + " shapes; give one shape, or one per top.");
        }
        List<NetworkInput> inputs = new ArrayList<>();
        for (int i = 0; i < layer.getTopCount(); i++) {
            BlobShape shape = layer.getInputParam().getShape(shapes == 1 ? 0 : i);
            inputs.add(new NetworkInput(layer.getTop(i), dims(shape)));
        }
        return inputs;
    }

    private static long[] dims(BlobShape shape) {
        return shape.getDimList().stream().mapToLong(Long::longValue).toArray();
    }

    private static ConversionException cannotRead(Path prototxt, IOException e) {
        return new ConversionException("Cannot read prototxt file " + prototxt + ": " + e.getMessage(), e);
    }

    private static String stripPosition(String message) {
        return message.replaceFirst("^\\d+:\\d+:\\s*", "");
    }
}
