package ai.dilation4j.converter.mappers;

import java.util.Arrays;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.api.UnsupportedLayerException;
import ai.dilation4j.converter.caffe.proto.Caffe.CropParameter;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.graph.FeatureShape;
import ai.dilation4j.converter.graph.GraphBuildContext;
import ai.dilation4j.converter.graph.LayerMapper;
import ai.dilation4j.runtime.nn.caffe.CaffeCropVertex;

/**
 * Caffe {@code Crop} (bottom 0 cropped to the shape of bottom 1 from {@code axis} on, at {@code offset}) →
 * {@link CaffeCropVertex}, which reads the reference shape at run time like Caffe.
 */
public final class CropMapper implements LayerMapper {

    private static final int RANK = 4;

    @Override
    public String caffeType() {
        return "Crop";
    }

    @Override
    public void map(LayerParameter layer, GraphBuildContext context) throws ConversionException {
        context.requireArity(layer, 2, 2, 1);
        CropParameter p = layer.getCropParam();
        int axis = p.getAxis() < 0 ? p.getAxis() + RANK : p.getAxis();
        if (axis < 1 || axis >= RANK) {
            throw new UnsupportedLayerException(GraphBuildContext.describe(layer) + " crops from axis " + p.getAxis()
                    + "; dilation4j crops channel or spatial axes (axis 1..3 of NCHW) only.");
        }
        int cropped = RANK - axis;
        long[] offsets = new long[cropped];
        // offsets are uint32 in caffe.proto; Java reads values from 2^31 on as negative ints
        if (p.getOffsetCount() == 1) {
            Arrays.fill(offsets, Integer.toUnsignedLong(p.getOffset(0)));
        } else if (p.getOffsetCount() == cropped) {
            for (int i = 0; i < cropped; i++) {
                offsets[i] = Integer.toUnsignedLong(p.getOffset(i));
            }
        } else if (p.getOffsetCount() != 0) {
            throw new ConversionException(GraphBuildContext.describe(layer) + " gives " + p.getOffsetCount()
                    + " offsets for " + cropped + " cropped axes; give one offset, or one per cropped axis.");
        }
        FeatureShape in = context.bottomShape(layer, 0);
        FeatureShape reference = context.bottomShape(layer, 1);
        long[] inDims = {in.channels(), in.height(), in.width()};
        long[] refDims = {reference.channels(), reference.height(), reference.width()};
        long[] outDims = inDims.clone();
        for (int dim = axis; dim < RANK; dim++) {
            long offset = offsets[dim - axis];
            outDims[dim - 1] = refDims[dim - 1];
            if (offset + refDims[dim - 1] > inDims[dim - 1]) {
                throw new ConversionException(GraphBuildContext.describe(layer) + ": offset " + offset + " + size "
                        + refDims[dim - 1] + " of '" + layer.getBottom(1) + "' exceeds size " + inDims[dim - 1]
                        + " of '" + layer.getBottom(0) + "' on axis " + dim + ".");
            }
        }
        context.addVertex(layer, new CaffeCropVertex(axis, offsets), new FeatureShape(outDims[0], outDims[1],
                outDims[2]), context.bottomVertex(layer, 0), context.bottomVertex(layer, 1));
    }
}
