package ai.dilation4j.converter.caffe;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.caffe.proto.Caffe.V1LayerParameter.LayerType;
import ai.dilation4j.converter.caffe.proto.Caffe.V1LayerParameter;

/** Caffe's {@code UpgradeV1LayerParameter}: a legacy {@code layers} entry as a current {@code layer}. */
final class V1LayerUpgrader {

    private static final Map<LayerType, String> TYPE_NAMES = new EnumMap<>(LayerType.class);

    static {
        TYPE_NAMES.put(LayerType.ABSVAL, "AbsVal");
        TYPE_NAMES.put(LayerType.ACCURACY, "Accuracy");
        TYPE_NAMES.put(LayerType.ARGMAX, "ArgMax");
        TYPE_NAMES.put(LayerType.BNLL, "BNLL");
        TYPE_NAMES.put(LayerType.CONCAT, "Concat");
        TYPE_NAMES.put(LayerType.CONTRASTIVE_LOSS, "ContrastiveLoss");
        TYPE_NAMES.put(LayerType.CONVOLUTION, "Convolution");
        TYPE_NAMES.put(LayerType.DATA, "Data");
        TYPE_NAMES.put(LayerType.DECONVOLUTION, "Deconvolution");
        TYPE_NAMES.put(LayerType.DROPOUT, "Dropout");
        TYPE_NAMES.put(LayerType.DUMMY_DATA, "DummyData");
        TYPE_NAMES.put(LayerType.EUCLIDEAN_LOSS, "EuclideanLoss");
        TYPE_NAMES.put(LayerType.ELTWISE, "Eltwise");
        TYPE_NAMES.put(LayerType.EXP, "Exp");
        TYPE_NAMES.put(LayerType.FLATTEN, "Flatten");
        TYPE_NAMES.put(LayerType.HDF5_DATA, "HDF5Data");
        TYPE_NAMES.put(LayerType.HDF5_OUTPUT, "HDF5Output");
        TYPE_NAMES.put(LayerType.HINGE_LOSS, "HingeLoss");
        TYPE_NAMES.put(LayerType.IM2COL, "Im2col");
        TYPE_NAMES.put(LayerType.IMAGE_DATA, "ImageData");
        TYPE_NAMES.put(LayerType.INFOGAIN_LOSS, "InfogainLoss");
        TYPE_NAMES.put(LayerType.INNER_PRODUCT, "InnerProduct");
        TYPE_NAMES.put(LayerType.LRN, "LRN");
        TYPE_NAMES.put(LayerType.MEMORY_DATA, "MemoryData");
        TYPE_NAMES.put(LayerType.MULTINOMIAL_LOGISTIC_LOSS, "MultinomialLogisticLoss");
        TYPE_NAMES.put(LayerType.MVN, "MVN");
        TYPE_NAMES.put(LayerType.POOLING, "Pooling");
        TYPE_NAMES.put(LayerType.POWER, "Power");
        TYPE_NAMES.put(LayerType.RELU, "ReLU");
        TYPE_NAMES.put(LayerType.SIGMOID, "Sigmoid");
        TYPE_NAMES.put(LayerType.SIGMOID_CROSS_ENTROPY_LOSS, "SigmoidCrossEntropyLoss");
        TYPE_NAMES.put(LayerType.SILENCE, "Silence");
        TYPE_NAMES.put(LayerType.SOFTMAX, "Softmax");
        TYPE_NAMES.put(LayerType.SOFTMAX_LOSS, "SoftmaxWithLoss");
        TYPE_NAMES.put(LayerType.SPLIT, "Split");
        TYPE_NAMES.put(LayerType.SLICE, "Slice");
        TYPE_NAMES.put(LayerType.TANH, "TanH");
        TYPE_NAMES.put(LayerType.WINDOW_DATA, "WindowData");
        TYPE_NAMES.put(LayerType.THRESHOLD, "Threshold");
    }

    private V1LayerUpgrader() {
    }

    static LayerParameter upgrade(V1LayerParameter v1, Path source) throws ConversionException {
        String type = TYPE_NAMES.get(v1.getType());
        if (type == null) {
            throw new ConversionException(source + ": V1 layer '" + v1.getName() + "' has no usable type ("
                    + v1.getType() + ").");
        }
        LayerParameter.Builder layer = LayerParameter.newBuilder()
                .setName(v1.getName())
                .setType(type)
                .addAllBottom(v1.getBottomList())
                .addAllTop(v1.getTopList())
                .addAllInclude(v1.getIncludeList())
                .addAllExclude(v1.getExcludeList())
                .addAllBlobs(v1.getBlobsList());
        if (v1.hasConvolutionParam()) {
            layer.setConvolutionParam(v1.getConvolutionParam());
        }
        if (v1.hasPoolingParam()) {
            layer.setPoolingParam(v1.getPoolingParam());
        }
        if (v1.hasReluParam()) {
            layer.setReluParam(v1.getReluParam());
        }
        if (v1.hasDropoutParam()) {
            layer.setDropoutParam(v1.getDropoutParam());
        }
        if (v1.hasSoftmaxParam()) {
            layer.setSoftmaxParam(v1.getSoftmaxParam());
        }
        if (v1.hasConcatParam()) {
            layer.setConcatParam(v1.getConcatParam());
        }
        if (v1.hasEltwiseParam()) {
            layer.setEltwiseParam(v1.getEltwiseParam());
        }
        return layer.build();
    }
}
