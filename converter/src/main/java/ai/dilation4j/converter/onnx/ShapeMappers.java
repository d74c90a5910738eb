package ai.dilation4j.converter.onnx;

import static ai.dilation4j.converter.onnx.OnnxGraph.intAttribute;
import static ai.dilation4j.converter.onnx.OnnxGraph.stringAttribute;

import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;

import ai.dilation4j.runtime.nn.caffe.CaffeCropVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;

/** The vertices that move values rather than compute them: crop, pad, upsample, concatenate. */
final class ShapeMappers {

    private ShapeMappers() {
    }

    /**
     * {@link CaffeCropVertex} → {@code Slice} of the first input from the offsets to the offsets plus the second
     * input's size, on every axis from the crop axis on. For any input size the reference's size is read at run time
     * ({@code Shape}), as Caffe does.
     */
    static String caffeCrop(ExportedVertex vertex, OnnxGraph graph) {
        CaffeCropVertex crop = (CaffeCropVertex) vertex.configuration();
        long[] offsets = crop.getOffsets();
        long[] axes = LongStream.range(crop.getAxis(), 4).toArray();
        String starts = graph.ints(vertex.name() + "/starts", offsets);
        String ends;
        if (vertex.dynamicSize()) {
            String shape = graph.node(vertex.name() + "/reference_shape", "Shape", List.of(vertex.inputs().get(1)));
            String size = graph.node(vertex.name() + "/reference_size", "Slice", List.of(shape,
                    graph.ints(vertex.name() + "/first_axis", crop.getAxis()), graph.ints(vertex.name() + "/rank", 4)));
            ends = graph.node(vertex.name() + "/ends", "Add", List.of(size, starts));
        } else {
            long[] reference = vertex.inputShapes().get(1); // {C, H, W}: NCHW axis a is index a - 1
            long[] end = new long[offsets.length];
            for (int i = 0; i < offsets.length; i++) {
                end[i] = offsets[i] + reference[crop.getAxis() + i - 1];
            }
            ends = graph.ints(vertex.name() + "/ends", end);
        }
        return graph.node(vertex.name(), "Slice", List.of(vertex.input(), starts, ends,
                graph.ints(vertex.name() + "/axes", axes)));
    }

    /**
     * {@code ZeroPaddingLayer} {top, bottom, left, right} → a constant {@code Pad} with -0.0, which equals 0 in every
     * later sum, product and comparison. ONNX Runtime folds a Pad whose constant is +0.0 (tested bytewise) into a
     * following MaxPool's pads, which MaxPool ignores rather than comparing with zero: a wrong maximum where a
     * window holds only negative values, and a refused model where the pads then reach the kernel size.
     */
    static String zeroPadding(ExportedVertex vertex, OnnxGraph graph) throws OnnxExportException {
        ZeroPaddingLayer conf = (ZeroPaddingLayer) vertex.configuration();
        vertex.requireNchw(conf.getDataFormat());
        int[] p = conf.getPadding();
        return graph.node(vertex.name(), "Pad", List.of(vertex.input(),
                graph.ints(vertex.name() + "/pads", 0, 0, p[0], p[2], 0, 0, p[1], p[3]),
                graph.floats(vertex.name() + "/zero", new long[0], -0.0f)), stringAttribute("mode", "constant"));
    }

    /**
     * {@code Upsampling2D} → nearest-neighbour {@code Resize} by the integer factors; with asymmetric coordinates
     * and floor rounding, output pixel {@code y} reads input pixel {@code floor(y / factor)}, DL4J's repeat.
     */
    static String upsampling(ExportedVertex vertex, OnnxGraph graph) throws OnnxExportException {
        Upsampling2D conf = (Upsampling2D) vertex.configuration();
        vertex.requireNchw(conf.getFormat());
        int[] size = conf.getSize();
        int[] factors = size.length == 1 ? new int[] {size[0], size[0]} : size;
        if (factors.length != 2) {
            throw vertex.unsupported("upsamples by " + Arrays.toString(size) + "; ONNX export covers 2-D factors.");
        }
        String scales = graph.floats(vertex.name() + "/scales", new long[] {4}, 1f, 1f, factors[0], factors[1]);
        return graph.node(vertex.name(), "Resize", List.of(vertex.input(), "", scales),
                stringAttribute("mode", "nearest"), stringAttribute("coordinate_transformation_mode", "asymmetric"),
                stringAttribute("nearest_mode", "floor"));
    }

    /** {@code MergeVertex} → {@code Concat} along its merge axis (the channels of NCHW maps). */
    static String merge(ExportedVertex vertex, OnnxGraph graph) {
        if (vertex.inputs().size() == 1) {
            return vertex.input();
        }
        return graph.node(vertex.name(), "Concat", vertex.inputs(),
                intAttribute("axis", ((MergeVertex) vertex.configuration()).getMergeAxis()));
    }
}
