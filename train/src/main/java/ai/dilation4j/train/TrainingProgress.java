package ai.dilation4j.train;

import java.time.Duration;

/**
 * Where a training run stands after an iteration.
 *
 * @param iteration      iterations done, counting those of the run resumed from
 * @param iterations     iterations the run will do in all
 * @param loss           this iteration's cross-entropy, averaged over the labelled pixels of its batch (the weight
 *                       decay term not included, as Caffe reports it)
 * @param learningRate   the weights' learning rate at this iteration (biases get twice it)
 * @param imagesPerSecond crops trained per second since this run started (front end included)
 * @param remaining      estimated time to the last iteration at that speed
 */
public record TrainingProgress(int iteration, int iterations, double loss, double learningRate,
                               double imagesPerSecond, Duration remaining) {
}
