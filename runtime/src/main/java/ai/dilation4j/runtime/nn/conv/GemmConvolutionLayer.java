package ai.dilation4j.runtime.nn.conv;

import java.util.Collection;
import java.util.Map;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link ConvolutionLayer} with the same configuration and parameters ({@code W} = Caffe's
 * {@code [out, in, kH, kW]} blob, {@code b}) whose inference runs the way Caffe's does, but faster: im2col into
 * a bounded buffer and one large GEMM per band of output rows, with the weights used where they lie. DL4J's own
 * implementation reshapes and copies the weights and the im2col matrix on every call and reaches about a quarter
 * of the machine's GEMM speed on DilatedNet. Each forward pass runs the cheapest {@link ConvolutionKernel} that
 * can run it ({@link KernelChooser}); DL4J's implementation runs what no other kernel can. Training runs the same
 * fp32 kernels forward and libnd4j's {@code conv2d_bp} backward ({@link ConvolutionBackward}) where they apply.
 */
public class GemmConvolutionLayer extends ConvolutionLayer {

    /** For JSON deserialization. */
    public GemmConvolutionLayer() {
    }

    private GemmConvolutionLayer(Builder builder) {
        super(builder);
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> trainingListeners,
                             int layerIndex, INDArray layerParamsView, boolean initializeParams,
                             DataType networkDataType) {
        GemmConvolution layer = new GemmConvolution(conf, networkDataType);
        layer.setListeners(trainingListeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        Map<String, INDArray> params = initializer().init(conf, layerParamsView, initializeParams);
        layer.setParamTable(params);
        layer.setConf(conf);
        return layer;
    }

    /** Builds a {@link GemmConvolutionLayer}; configured exactly like {@link ConvolutionLayer.Builder}. */
    public static class Builder extends ConvolutionLayer.Builder {
        @Override
        public GemmConvolutionLayer build() {
            super.build(); // validates kernel, stride, padding and mode as DL4J does
            return new GemmConvolutionLayer(this);
        }
    }
}
