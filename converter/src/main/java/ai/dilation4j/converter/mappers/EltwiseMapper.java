package ai.dilation4j.converter.mappers;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.caffe.proto.Caffe.EltwiseParameter;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.graph.FeatureShape;
import ai.dilation4j.converter.graph.GraphBuildContext;
import ai.dilation4j.converter.graph.LayerMapper;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;

/**
 * Caffe {@code Eltwise} → {@code ElementWiseVertex}: SUM → Add (inputs with a coefficient other than 1 pass
 * through a {@code ScaleVertex} first), PROD → Product, MAX → Max.
 */
public final class EltwiseMapper implements LayerMapper {

    @Override
    public String caffeType() {
        return "Eltwise";
    }

    @Override
    public void map(LayerParameter layer, GraphBuildContext context) throws ConversionException {
        context.requireArity(layer, 2, Integer.MAX_VALUE, 1);
        EltwiseParameter p = layer.getEltwiseParam();
        int bottoms = layer.getBottomCount();
        FeatureShape shape = context.bottomShape(layer, 0);
        for (int i = 1; i < bottoms; i++) {
            if (!context.bottomShape(layer, i).equals(shape)) {
                throw new ConversionException(GraphBuildContext.describe(layer) + ": bottom '" + layer.getBottom(i)
                        + "' has shape " + context.bottomShape(layer, i) + " but '" + layer.getBottom(0) + "' has "
                        + shape + "; Eltwise needs equal shapes (add a Crop layer).");
            }
        }
        if (p.getCoeffCount() > 0 && p.getOperation() != EltwiseParameter.EltwiseOp.SUM) {
            throw new ConversionException(GraphBuildContext.describe(layer)
                    + " gives coefficients for " + p.getOperation() + "; Caffe takes them for SUM only.");
        }
        if (p.getCoeffCount() > 0 && p.getCoeffCount() != bottoms) {
            throw new ConversionException(GraphBuildContext.describe(layer) + " gives " + p.getCoeffCount()
                    + " coefficients for " + bottoms + " bottoms; give one per bottom.");
        }
        String[] inputs = new String[bottoms];
        for (int i = 0; i < bottoms; i++) {
            inputs[i] = context.bottomVertex(layer, i);
            float coeff = p.getCoeffCount() > 0 ? p.getCoeff(i) : 1f;
            if (coeff != 1f) {
                inputs[i] = context.addHelperVertex(layer.getName() + "_coeff" + i, new ScaleVertex(coeff), shape,
                        inputs[i]);
            }
        }
        ElementWiseVertex.Op op = switch (p.getOperation()) {
            case SUM -> ElementWiseVertex.Op.Add;
            case PROD -> ElementWiseVertex.Op.Product;
            case MAX -> ElementWiseVertex.Op.Max;
        };
        context.addVertex(layer, new ElementWiseVertex(op), shape, inputs);
    }
}
