package ai.dilation4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.runtime.evaluate.ConfusionMatrix;
import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.runtime.model.Segmenter;
import ai.dilation4j.runtime.model.SegmenterOptions;
import ai.dilation4j.train.testing.ShapesDataset;
import ai.dilation4j.train.testing.TinyDilatedNet;

/** Fine-tunes {@link TinyDilatedNet} on {@link ShapesDataset}: learning, resuming, the loss's normalisation. */
class TrainerTest {

    @TempDir
    static Path dir;
    static Path model;
    static Path train;
    static Path validation;

    @BeforeAll
    static void drawDataAndModel() throws Exception {
        model = TinyDilatedNet.write(dir);
        train = ShapesDataset.write(dir.resolve("train"), 128, 64, 1);
        validation = ShapesDataset.write(dir.resolve("val"), 8, 64, 2);
    }

    static TrainingOptions.Builder options(Path output) {
        return TrainingOptions.builder()
                .model(model)
                .images(train.resolve("images")).labels(train.resolve("labels"))
                .classes(List.of("background", "disc", "box"), null)
                .crop(TinyDilatedNet.CROP)
                .batch(8)
                .learningRate(0.05)
                .seed(3)
                .output(output);
    }

    @Test
    void fineTuningTheContextModuleRaisesHeldOutMeanIouFromChanceToAtLeast0_9() throws Exception {
        Path output = dir.resolve("tuned.zip");
        List<Double> ious = new ArrayList<>();
        TrainingOptions options = options(output)
                .validation(validation.resolve("images"), validation.resolve("labels"))
                .iterations(64).build();
        TrainingSummary summary;
        try (Trainer trainer = Trainer.open(options)) {
            assertThat(trainer.freshFinalLayer()).isTrue();
            summary = trainer.train(new TrainingListener() {
                @Override
                public void validated(int epoch, int iteration, ConfusionMatrix scores) {
                    ious.add(scores.meanIou());
                }
            });
        }
        assertThat(summary.completed()).isTrue();
        assertThat(summary.losses()).hasSize(64);
        assertThat(ious).hasSize(5); // before training, then after each of the 4 epochs of 16 iterations
        assertThat(ious.get(0)).as("untrained").isLessThan(0.4);
        assertThat(ious.get(ious.size() - 1)).as("after 4 epochs").isGreaterThanOrEqualTo(0.9);
        assertThat(Files.exists(options.checkpoint())).as("checkpoint removed once the output is written").isFalse();
        try (SegmentationModel before = SegmentationModel.load(model);
             SegmentationModel after = SegmentationModel.load(output)) {
            for (String frozen : List.of("conv1_1", "conv2_1", "fc6", "fc-final")) {
                assertThat(after.graph().getLayer(frozen).params()).as(frozen)
                        .isEqualTo(before.graph().getLayer(frozen).params());
            }
            assertThat(after.graph().getLayer("ct_conv1_1").params())
                    .isNotEqualTo(before.graph().getLayer("ct_conv1_1").params());
        }

        // An ordinary model file with the new classes, which the segmenter reads and scores as the trainer did.
        try (SegmentationModel tuned = SegmentationModel.load(output);
             Segmenter segmenter = tuned.segmenter(SegmenterOptions.builder().threads(1).build())) {
            assertThat(tuned.metadata().numClasses()).isEqualTo(3);
            assertThat(tuned.metadata().dataset().classNames()).containsExactly("background", "disc", "box");
            assertThat(tuned.metadata().dataset().palette()).containsExactly(new int[] {0, 0, 0},
                    new int[] {128, 0, 0}, new int[] {0, 128, 0});
            ConfusionMatrix scores = new ConfusionMatrix(3);
            var held = ai.dilation4j.train.data.LabelledDataset.open(validation.resolve("images"),
                    validation.resolve("labels"), 3, ai.dilation4j.runtime.image.ImageLimits.DEFAULT);
            for (int i = 0; i < held.size(); i++) {
                try (var example = held.read(i)) {
                    scores.add(example.label(), segmenter.segment(example.image().bgr()).labels(), 255);
                }
            }
            assertThat(scores.meanIou()).isEqualTo(ious.get(ious.size() - 1), within(1e-9));
        }
    }

    @Test
    void aRunStoppedAndResumedFromItsCheckpointRepeatsTheUninterruptedLosses() throws Exception {
        List<Double> uninterrupted;
        try (Trainer trainer = Trainer.open(options(dir.resolve("straight.zip")).iterations(12).build())) {
            uninterrupted = trainer.train(new TrainingListener() { }).losses();
        }

        Path output = dir.resolve("stopped.zip");
        TrainingOptions first = options(output).iterations(12).build();
        TrainingSummary stopped;
        try (Trainer trainer = Trainer.open(first)) {
            stopped = trainer.train(new TrainingListener() {
                @Override
                public void iterationDone(TrainingProgress progress) {
                    if (progress.iteration() == 5) {
                        trainer.requestStop(); // as Ctrl-C does
                    }
                }
            });
        }
        assertThat(stopped.completed()).isFalse();
        assertThat(stopped.iteration()).isEqualTo(5);
        assertThat(stopped.written()).isEqualTo(first.checkpoint()).exists();
        assertThat(output).doesNotExist();

        TrainingOptions resume = TrainingOptions.builder().resume(first.checkpoint())
                .images(train.resolve("images")).labels(train.resolve("labels")).iterations(12).output(output).build();
        List<Double> resumed;
        try (Trainer trainer = Trainer.open(resume)) {
            assertThat(trainer.startIteration()).isEqualTo(5);
            assertThat(trainer.freshFinalLayer()).isFalse();
            resumed = trainer.train(new TrainingListener() { }).losses();
        }
        assertThat(stopped.losses()).hasSize(5);
        assertThat(resumed).hasSize(7);
        for (int i = 0; i < 12; i++) {
            double loss = i < 5 ? stopped.losses().get(i) : resumed.get(i - 5);
            assertThat(loss).as("iteration " + (i + 1)).isCloseTo(uninterrupted.get(i), within(1e-5));
        }
        assertThat(output).exists();
        assertThat(first.checkpoint()).doesNotExist();
    }

    @Test
    void theLossIsTheMeanOverLabelledPixelsNotTheSumPerImage() throws Exception {
        // A fresh final layer (weights ~N(0, 0.001²)) starts near the uniform distribution: cross-entropy ln 3 per
        // labelled pixel. Summed per image, as DL4J's loss layer does by itself, it would be ~200 times that.
        List<Double> losses;
        try (Trainer trainer = Trainer.open(options(dir.resolve("one.zip")).iterations(1).build())) {
            losses = trainer.train(new TrainingListener() { }).losses();
        }
        assertThat(losses.get(0)).isCloseTo(Math.log(3), within(0.02));
    }

    @Test
    void withNothingFrozenTheFrontEndTrainsToo() throws Exception {
        Path output = dir.resolve("joint.zip");
        TrainingOptions options = options(output).freeze(Freeze.NONE).learningRate(0.002).iterations(24).build();
        List<Double> losses;
        try (Trainer trainer = Trainer.open(options)) {
            losses = trainer.train(new TrainingListener() { }).losses();
        }
        double lastFive = losses.subList(19, 24).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertThat(lastFive).isLessThan(0.8 * losses.get(0));
        try (SegmentationModel before = SegmentationModel.load(model);
             SegmentationModel after = SegmentationModel.load(output)) {
            for (String layer : List.of("conv1_1", "fc6", "ct_conv1_1")) {
                assertThat(after.graph().getLayer(layer).params()).as(layer)
                        .isNotEqualTo(before.graph().getLayer(layer).params());
            }
        }
    }

    @Test
    void aBatchOverThePixelLimitIsRefusedBeforeAnythingIsAllocated() {
        TrainingOptions options = options(dir.resolve("huge.zip")).crop(TinyDilatedNet.CROP + 200 * TinyDilatedNet.ZOOM)
                .limits(ai.dilation4j.runtime.image.ImageLimits.DEFAULT.withMaxPixels(100_000)).iterations(1).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Trainer.open(options))
                .isInstanceOf(ai.dilation4j.runtime.InvalidInputException.class)
                .hasMessageContaining("446x446").hasMessageContaining("smaller --crop or --batch");
    }

    @Test
    void aModelWithoutAContextModuleCannotBeTrainedWithTheFrontEndFrozen() throws Exception {
        Path frontEndOnly = TinyDilatedNet.write(dir, "noctx", TinyDilatedNet.PROTOTXT.replace("ct_", "cx_"),
                TinyDilatedNet.MARGIN);
        TrainingOptions options = TrainingOptions.builder().model(frontEndOnly).images(train.resolve("images"))
                .labels(train.resolve("labels")).crop(TinyDilatedNet.CROP).output(dir.resolve("noctx-out.zip")).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Trainer.open(options))
                .isInstanceOf(ai.dilation4j.runtime.InvalidInputException.class)
                .hasMessageContaining("no context module").hasMessageContaining("--freeze none");
    }

    @Test
    void aModelWhoseMarginDoesNotMatchItsLayersIsRefused() throws Exception {
        // margin 8 instead of 7: a 46 crop promises 15x15 labels, the layers give 16x16
        Path misdescribed = TinyDilatedNet.write(dir, "margin8", TinyDilatedNet.PROTOTXT, TinyDilatedNet.MARGIN + 1);
        TrainingOptions options = TrainingOptions.builder().model(misdescribed).images(train.resolve("images"))
                .labels(train.resolve("labels")).crop(TinyDilatedNet.CROP).output(dir.resolve("m8-out.zip")).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Trainer.open(options))
                .isInstanceOf(ai.dilation4j.runtime.InvalidInputException.class)
                .hasMessageContaining("16x16 output").hasMessageContaining("say 15x15");
    }

    @Test
    void anInterruptedTrainingThreadWritesItsCheckpointAndKeepsItsInterruptFlag() throws Exception {
        TrainingOptions options = options(dir.resolve("interrupted.zip")).iterations(50).build();
        TrainingSummary summary;
        boolean stillInterrupted;
        try (Trainer trainer = Trainer.open(options)) {
            summary = trainer.train(new TrainingListener() {
                @Override
                public void iterationDone(TrainingProgress progress) {
                    if (progress.iteration() == 2) {
                        Thread.currentThread().interrupt(); // as a service cancelling the job would
                    }
                }
            });
            stillInterrupted = Thread.interrupted();
        }
        assertThat(stillInterrupted).isTrue();
        assertThat(summary.completed()).isFalse();
        assertThat(summary.iteration()).isEqualTo(2);
        try (SegmentationModel checkpoint = SegmentationModel.load(options.checkpoint())) {
            assertThat(checkpoint.metadata().numClasses()).isEqualTo(3);
        }
    }
}
