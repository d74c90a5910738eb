package ai.dilation4j.train;

import java.nio.file.Path;

import ai.dilation4j.runtime.evaluate.ConfusionMatrix;

/** Told what a {@link Trainer} does, on the training thread; implementations should return quickly. */
public interface TrainingListener {

    /** After every iteration. */
    default void iterationDone(TrainingProgress progress) {
    }

    /**
     * After the validation set was segmented and scored: before the first iteration of a new run (epoch 0, the
     * starting point), after every epoch, and after the last iteration.
     */
    default void validated(int epoch, int iteration, ConfusionMatrix scores) {
    }

    /** After a checkpoint (or the final model) was written. */
    default void checkpointWritten(Path file, int iteration) {
    }
}
