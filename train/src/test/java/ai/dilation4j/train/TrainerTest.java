package ai.dilation4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.runtime.evaluate.ConfusionMatrix;
import ai.dilation4j.runtime.model.SegmentationModel;

class TrainerTest {

    @TempDir
    static Path dir;
    static Path model;
    static Path train;
    static Path validation;

    @BeforeAll
    static void drawDataAndModel() throws Exception {
        model = TinyDilatedNet.write(dir);
        train = ShapesDataset.write(dir.resolve("train"), Integer.getInteger("ntrain", 128), 64, 1);
        validation = ShapesDataset.write(dir.resolve("val"), 8, 64, 2);
    }

    static TrainingOptions.Builder options(Path output) {
        return TrainingOptions.builder()
                .model(model)
                .images(train.resolve("images")).labels(train.resolve("labels"))
                .classes(List.of("background", "disc", "box"), null)
                .crop(TinyDilatedNet.CROP)
                .batch(8)
                .learningRate(Double.parseDouble(System.getProperty("lr", "0.05")))
                .seed(3)
                .output(output);
    }

    @Test
    void fineTuningTheContextModuleRaisesHeldOutMeanIouFromChance() throws Exception {
        List<Double> ious = new ArrayList<>();
        TrainingOptions.Builder builder = options(dir.resolve("tuned.zip"));
        if (!Boolean.getBoolean("noval")) {
            builder.validation(validation.resolve("images"), validation.resolve("labels"));
        }
        TrainingOptions options = builder
                .iterations(Integer.getInteger("iters", 64)).checkpointEvery(1000).build();
        long start = System.nanoTime();
        try (Trainer trainer = Trainer.open(options)) {
            assertThat(trainer.freshFinalLayer()).isTrue();
            trainer.train(new TrainingListener() {
                @Override
                public void iterationDone(TrainingProgress progress) {
                    if (progress.iteration() % 10 == 0) {
                        System.err.println(progress);
                    }
                }

                @Override
                public void validated(int epoch, int iteration, ConfusionMatrix scores) {
                    System.err.println("epoch " + epoch + " it " + iteration + " mIoU " + scores.meanIou());
                    ious.add(scores.meanIou());
                }
            });
        }
        System.err.println("took " + (System.nanoTime() - start) / 1e9 + " s");
        assertThat(ious.get(0)).isLessThan(0.5);
        assertThat(ious.get(ious.size() - 1)).isGreaterThanOrEqualTo(0.9);
        try (SegmentationModel tuned = SegmentationModel.load(dir.resolve("tuned.zip"))) {
            assertThat(tuned.metadata().numClasses()).isEqualTo(3);
            assertThat(tuned.metadata().dataset().classNames()).containsExactly("background", "disc", "box");
        }
    }
}
