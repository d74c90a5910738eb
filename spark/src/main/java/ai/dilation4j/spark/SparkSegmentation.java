package ai.dilation4j.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.util.SerializableConfiguration;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;

import ai.dilation4j.models.ModelZoo;
import ai.dilation4j.runtime.DilationException;
import ai.dilation4j.runtime.InvalidInputException;

/**
 * Segments every image of an input on a Spark cluster, as the {@code segment} command does on one machine:
 * the same files, byte for byte, under the input's relative paths, and one JSON line per image in
 * {@code <output>/results/} (Spark's text dataset, with {@code _SUCCESS}); {@code <output>/_SUCCESS} marks the whole
 * output complete.
 */
public final class SparkSegmentation {

    /** What a run did. */
    public record Summary(long images, long segmented, long failed, double seconds, String results) {
        public double imagesPerSecond() {
            return images / seconds;
        }
    }

    static final String RESULTS = "results";
    static final String SUCCESS = "_SUCCESS";

    private SparkSegmentation() {
    }

    /**
     * @throws InvalidInputException if the input matches nothing or the output holds a finished run
     * @throws DilationException     if the model cannot be resolved or is unusable (checked on the driver)
     */
    public static Summary run(SparkSession spark, SegmentJobOptions options, ModelZoo zoo)
            throws DilationException, IOException {
        long started = System.nanoTime();
        Path root = new Path(options.output());
        FileSystem outputFs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (outputFs.exists(new Path(root, SUCCESS))) {
            throw new InvalidInputException("--output " + options.output() + " holds a finished run (" + SUCCESS
                    + "); give another directory or delete it.");
        }
        String base = ImageListing.base(spark, "--input", options.input());
        refuseOutputAmongInputs(spark, options, outputFs, root, base);
        ModelShipping.Shipped shipped = ModelShipping.ship(spark.sparkContext(), options.model(),
                options.threadsPerTask(), zoo);
        Dataset<Row> images = ImageListing.list(spark, "--input", options.input(), options.include(),
                options.recursive());
        long imageCount = images.count();
        Set<String> sharedStems = sharedStems(images, base);
        int partitions = Tasks.partitions(spark, imageCount, options.imagesPerTask());
        LongAccumulator segmented = spark.sparkContext().longAccumulator("dilation4j images segmented");
        LongAccumulator failed = spark.sparkContext().longAccumulator("dilation4j images failed");
        SegmentPartition task = new SegmentPartition(shipped.model(),
                new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()), outputFs.makeQualified(root)
                .toString(), base, sharedStems, options.outputKinds(), options.limits(), segmented, failed,
                options.writeObserver());
        String results = new Path(root, RESULTS).toString();
        try {
            images.repartitionByRange(partitions, col("path")).mapPartitions(task, Encoders.STRING())
                    .write().mode(SaveMode.Overwrite).text(results);
        } finally {
            HadoopOutputs.deleteAttempts(outputFs, root);
        }
        outputFs.create(new Path(root, SUCCESS), true).close();
        return new Summary(imageCount, segmented.value(), failed.value(), (System.nanoTime() - started) / 1e9,
                results);
    }

    /**
     * The results must not land where the input is listed from: a later run would take them for images (the CLI
     * refuses results that would overwrite an input for the same reason).
     */
    private static void refuseOutputAmongInputs(SparkSession spark, SegmentJobOptions options, FileSystem outputFs,
                                                Path root, String base) throws IOException, InvalidInputException {
        FileSystem inputFs = new Path(options.input()).getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!inputFs.getUri().equals(outputFs.getUri())) {
            return;
        }
        String output = outputFs.makeQualified(root).toUri().getPath();
        output = output.endsWith("/") ? output : output + "/";
        boolean isInput = output.equals(base);
        if (isInput || (options.recursive() && output.startsWith(base))) {
            throw new InvalidInputException("--output " + options.output() + " is " + (isInput ? "the input directory"
                    : "inside the input directory, which is searched recursively") + " (" + base + "): a later run "
                    + "would take the results for images; give an output directory outside it"
                    + (isInput ? "." : ", or --no-recursive."));
        }
    }

    /** The directory-and-stem keys two or more images share (photo.png and photo.jpg): those keep their whole names. */
    private static Set<String> sharedStems(Dataset<Row> images, String base) {
        MapFunction<Row, String> stemKey = row -> InputPaths.stemKey(row.getString(0), base);
        List<String> shared = images.map(stemKey, Encoders.STRING()).groupBy("value").agg(count("*").as("n"))
                .filter(col("n").gt(1)).select("value").as(Encoders.STRING()).collectAsList();
        return new HashSet<>(shared);
    }
}
