package ai.dilation4j.spark;

import org.apache.spark.sql.SparkSession;

/** How a job's images are cut into tasks. */
final class Tasks {

    /** Tasks per slot at least, so that the last tasks' images are few and the slots finish together. */
    private static final int TASKS_PER_SLOT = 3;

    private Tasks() {
    }

    /**
     * About {@code imagesPerTask} images per task (ranges of paths, so that a directory stays together), but at least
     * {@value #TASKS_PER_SLOT} tasks per slot (a segmentation takes seconds, so two uneven halves leave a core idle for
     * many of them: 12 images hashed into 2 tasks took 86 s where 3 per slot took less), and never more tasks than
     * images.
     */
    static int partitions(SparkSession spark, long images, int imagesPerTask) {
        long bySize = (images + imagesPerTask - 1) / imagesPerTask;
        long bySlots = (long) TASKS_PER_SLOT * spark.sparkContext().defaultParallelism();
        return (int) Math.max(1, Math.min(images, Math.max(bySize, bySlots)));
    }
}
