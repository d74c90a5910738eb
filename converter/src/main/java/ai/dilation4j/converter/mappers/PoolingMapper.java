package ai.dilation4j.converter.mappers;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.api.UnsupportedLayerException;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.caffe.proto.Caffe.PoolingParameter;
import ai.dilation4j.converter.graph.FeatureShape;
import ai.dilation4j.converter.graph.GraphBuildContext;
import ai.dilation4j.converter.graph.KernelGeometry;
import ai.dilation4j.converter.graph.LayerMapper;
import ai.dilation4j.runtime.nn.caffe.CaffePoolingVertex;

/**
 * Caffe {@code Pooling} MAX/AVE → {@link CaffePoolingVertex}, which keeps Caffe's rounded-up output size for
 * every input size (a {@code SubsamplingLayer} rounds down, or pads differently in {@code Same} mode).
 */
public final class PoolingMapper implements LayerMapper {

    @Override
    public String caffeType() {
        return "Pooling";
    }

    @Override
    public void map(LayerParameter layer, GraphBuildContext context) throws ConversionException {
        context.requireArity(layer, 1, 1, 1);
        PoolingParameter p = layer.getPoolingParam();
        CaffePoolingVertex.Method method = switch (p.getPool()) {
            case MAX -> CaffePoolingVertex.Method.MAX;
            case AVE -> CaffePoolingVertex.Method.AVE;
            case STOCHASTIC -> throw new UnsupportedLayerException(GraphBuildContext.describe(layer)
                    + " uses STOCHASTIC pooling, which dilation4j does not convert; use MAX or AVE.");
        };
        FeatureShape in = context.bottomShape(layer, 0);
        KernelGeometry g = KernelGeometry.of(layer, p, in);
        if (g.padH() >= g.kernelH() || g.padW() >= g.kernelW()) {
            throw new ConversionException(GraphBuildContext.describe(layer) + ": pad (" + g.padH() + "x" + g.padW()
                    + ") must be smaller than the kernel (" + g.kernelH() + "x" + g.kernelW() + "), as Caffe requires.");
        }
        long h = CaffePoolingVertex.outputSize(in.height(), g.kernelH(), g.strideH(), g.padH());
        long w = CaffePoolingVertex.outputSize(in.width(), g.kernelW(), g.strideW(), g.padW());
        if (h < 1 || w < 1 || g.kernelH() > in.height() + 2L * g.padH() || g.kernelW() > in.width() + 2L * g.padW()) {
            throw new ConversionException(GraphBuildContext.describe(layer) + ": its input " + in
                    + " is smaller than the pooling kernel (" + g + "). Use a larger network input.");
        }
        context.addVertex(layer, new CaffePoolingVertex(method, g.kernelH(), g.kernelW(), g.strideH(), g.strideW(),
                g.padH(), g.padW()), new FeatureShape(in.channels(), h, w), context.bottomVertex(layer, 0));
    }
}
