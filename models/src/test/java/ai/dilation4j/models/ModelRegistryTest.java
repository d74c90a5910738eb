package ai.dilation4j.models;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ModelRegistryTest {

    @Test
    void holdsTheFourDilatedNetModels() {
        assertThat(ModelRegistry.presets()).extracting(ModelPreset::name)
                .containsExactly("pascal_voc", "camvid", "kitti", "cityscapes");
        assertThat(ModelRegistry.presets()).extracting(ModelPreset::modelName).containsExactly(
                "dilation8_pascal_voc", "dilation8_camvid", "dilation7_kitti", "dilation10_cityscapes");
        assertThat(ModelRegistry.presets()).allSatisfy(p -> {
            assertThat(p.dataset().labelMargin()).isEqualTo(186);
            assertThat(p.dataset().palette()).hasSize(p.dataset().numClasses());
            assertThat(p.weightsUrl()).endsWith(p.modelName() + ".caffemodel");
            assertThat(p.prototxtUrl()).endsWith(p.modelName() + "_deploy.prototxt");
        });
    }

    @Test
    void datasetFieldsMatchFyuDilation() {
        DatasetSpec voc = ModelRegistry.find("pascal_voc").orElseThrow().dataset();
        assertThat(voc.numClasses()).isEqualTo(21);
        assertThat(voc.meanBgr()).containsExactly(102.93, 111.36, 116.52);
        assertThat(voc.zoom()).isEqualTo(8);
        assertThat(voc.palette().get(15)).containsExactly(192, 128, 128);
        DatasetSpec cityscapes = ModelRegistry.find("dilation10_cityscapes").orElseThrow().dataset();
        assertThat(cityscapes.numClasses()).isEqualTo(19);
        assertThat(cityscapes.zoom()).isEqualTo(1);
        assertThat(ModelRegistry.find("kitti").orElseThrow().inputWidth()).isEqualTo(1640);
        assertThat(ModelRegistry.find("imagenet")).isEmpty();
    }
}
