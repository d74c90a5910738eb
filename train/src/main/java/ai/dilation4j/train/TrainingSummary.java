package ai.dilation4j.train;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;

/**
 * What a finished (or stopped) training run did.
 *
 * @param iteration    iterations done in all
 * @param completed    true if the run reached its last iteration; false if {@link Trainer#requestStop()} stopped it
 * @param written      the final model when completed, else the checkpoint that holds the run's state
 * @param losses       the loss of every iteration this run did, in order
 * @param lastMeanIou  mean IoU of the last validation, empty without a validation set
 */
public record TrainingSummary(int iteration, boolean completed, Path written, List<Double> losses,
                              OptionalDouble lastMeanIou) {

    public TrainingSummary {
        losses = List.copyOf(losses);
    }
}
