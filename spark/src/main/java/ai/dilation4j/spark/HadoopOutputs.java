package ai.dilation4j.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Set;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;

/**
 * Writes a job's per-image files through the Hadoop FileSystem API so that a reader never sees a partial file and a
 * task that runs more than once (a retry after a failure, a speculative copy) leaves exactly one complete file.
 *
 * <p>On file systems with an atomic rename (local, HDFS) a file is written under the attempt's own directory below
 * {@code <output>/_dilation4j_attempts} and renamed into place when complete; the driver deletes that directory at
 * the end of the job, which also removes what a killed attempt left. Object stores (S3A, GCS, Azure) publish an
 * object only when its upload completes and their rename is a copy, so there a file is written in place. Every
 * attempt writes the same bytes (the segmentation is deterministic), so which attempt's file survives does not
 * matter.
 */
final class HadoopOutputs {

    /** Hidden from Hadoop and Spark readers by its leading underscore. */
    static final String ATTEMPTS_DIRECTORY = "_dilation4j_attempts";

    /** Schemes whose objects appear whole on close and whose rename copies. */
    private static final Set<String> OBJECT_STORES = Set.of("s3a", "s3", "s3n", "gs", "wasb", "wasbs", "abfs",
            "abfss", "oss", "cosn", "obs");

    /** What is written into a file. */
    interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Called with each stream as it is written; tests inject failures through it. */
    interface WriteObserver extends java.io.Serializable {
        WriteObserver NONE = (file, attempt) -> { };

        void writing(Path file, int attempt) throws IOException;
    }

    private final FileSystem fs;
    private final Path outputRoot;
    private final String attemptName;
    private final int attemptNumber;
    private final WriteObserver observer;

    /**
     * @param attemptName   unique per task attempt (e.g. {@code stage-partition-attempt ids})
     * @param attemptNumber the attempt of its task, 0 for the first
     */
    HadoopOutputs(FileSystem fs, Path outputRoot, String attemptName, int attemptNumber, WriteObserver observer) {
        this.fs = fs;
        this.outputRoot = outputRoot;
        this.attemptName = attemptName;
        this.attemptNumber = attemptNumber;
        this.observer = observer;
    }

    /** The attempt of the running task, for naming its staging area. */
    static String attemptName(TaskContext task) {
        return "stage" + task.stageId() + "-" + task.stageAttemptNumber() + "-part" + task.partitionId() + "-attempt"
                + task.attemptNumber() + "-" + task.taskAttemptId();
    }

    static boolean publishesOnClose(FileSystem fs) {
        String scheme = fs.getUri().getScheme();
        return scheme != null && OBJECT_STORES.contains(scheme.toLowerCase(Locale.ROOT));
    }

    /** Writes {@code relative} (a path below the output root) completely, or not at all. */
    Path write(String relative, Content content) throws IOException {
        Path target = new Path(outputRoot, relative);
        if (publishesOnClose(fs)) {
            try (FSDataOutputStream out = fs.create(target, true)) {
                observer.writing(target, attemptNumber);
                content.writeTo(out);
            }
            return target;
        }
        Path staged = new Path(new Path(new Path(outputRoot, ATTEMPTS_DIRECTORY), attemptName), relative);
        boolean published = false;
        try {
            try (FSDataOutputStream out = fs.create(staged, true)) {
                observer.writing(staged, attemptNumber);
                content.writeTo(out);
            }
            fs.mkdirs(target.getParent());
            published = fs.rename(staged, target);
            if (!published && !fs.exists(target)) {
                throw new IOException("Cannot move " + staged + " to " + target + " on " + fs.getUri());
            }
            // Not published and the target exists: HDFS does not rename onto a file, and another attempt of this task
            // has already published the same bytes.
            return target;
        } finally {
            if (!published) {
                fs.delete(staged, false);
            }
        }
    }

    /** Removes every attempt's staging area below {@code outputRoot}; the driver calls it when the job ends. */
    static void deleteAttempts(FileSystem fs, Path outputRoot) throws IOException {
        fs.delete(new Path(outputRoot, ATTEMPTS_DIRECTORY), true);
    }
}
