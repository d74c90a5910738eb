package ai.dilation4j.converter.caffe;

import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.caffe.proto.Caffe.NetStateRule;
import ai.dilation4j.converter.caffe.proto.Caffe.Phase;

/**
 * Caffe's {@code Net::FilterNet} for inference: keeps the layers a net in phase TEST, level 0, without stages
 * runs, so training-only layers of a train_val prototxt drop out.
 */
final class TestPhaseFilter {

    private TestPhaseFilter() {
    }

    static boolean includes(LayerParameter layer) {
        if (layer.getIncludeCount() > 0) {
            return layer.getIncludeList().stream().anyMatch(TestPhaseFilter::matches);
        }
        return layer.getExcludeList().stream().noneMatch(TestPhaseFilter::matches);
    }

    private static boolean matches(NetStateRule rule) {
        if (rule.hasPhase() && rule.getPhase() != Phase.TEST) {
            return false;
        }
        if (rule.hasMinLevel() && 0 < rule.getMinLevel()) {
            return false;
        }
        if (rule.hasMaxLevel() && 0 > rule.getMaxLevel()) {
            return false;
        }
        return rule.getStageCount() == 0;
    }
}
