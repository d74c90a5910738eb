package ai.dilation4j.spark;

import java.io.Serializable;

/**
 * A model file the driver checked and shipped to the executors with {@code SparkContext.addFile}, and how the
 * executors run it. Only names and numbers: tasks carry it.
 *
 * @param fileName       the name {@code SparkFiles.get} finds the executor's copy under
 * @param bytes          the file's size, to tell two files of one name apart
 * @param modelName      the model's name from its metadata, for messages
 * @param threadsPerTask native threads per forward pass; 0: as many as the task's cores ({@code spark.task.cpus})
 */
record ShippedModel(String fileName, long bytes, String modelName, int threadsPerTask) implements Serializable {
}
