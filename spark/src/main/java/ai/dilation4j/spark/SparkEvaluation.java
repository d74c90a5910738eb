package ai.dilation4j.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.udf;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.spark.util.SerializableConfiguration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

import ai.dilation4j.models.ModelZoo;
import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.DilationException;
import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.evaluate.CityscapesLabels;
import ai.dilation4j.runtime.evaluate.ConfusionMatrix;
import ai.dilation4j.runtime.evaluate.EvaluationReport;
import ai.dilation4j.runtime.evaluate.LabelFormat;
import ai.dilation4j.runtime.evaluate.LabelledImages;
import ai.dilation4j.runtime.io.FileNames;

/**
 * Scores a labelled image set on a Spark cluster as the {@code evaluate} command does on one machine: images and
 * labels paired as {@link LabelledImages} pairs them (by stem, or by Cityscapes frame), each partition's images
 * counted into one confusion matrix, the matrices summed on the driver into the command's report.
 */
public final class SparkEvaluation {

    /** The report, the images without a label, and the images that could not be scored with the reason. */
    public record Result(EvaluationReport report, long unlabelled, long images, List<String> skipped) {
    }

    private SparkEvaluation() {
    }

    /**
     * @throws InvalidInputException if no image has a label, a listed stem has no image, or the options do not fit
     *                               the labels or the model
     */
    public static Result run(SparkSession spark, EvaluateJobOptions options, ModelZoo zoo)
            throws DilationException, IOException {
        ModelShipping.Shipped shipped = ModelShipping.ship(spark.sparkContext(), options.model(),
                options.threadsPerTask(), zoo);
        DatasetSpec dataset = shipped.metadata().datasetSpec().orElseThrow(() -> new InvalidInputException("Model "
                + shipped.metadata().name() + " carries no dataset fields (mean, margin, zoom, palette); convert it "
                + "with --preset."));
        String labels = options.labels();
        LabelFormat layout = options.format() != null ? options.format() : detect(spark, labels);
        int ignored = layout.ignoredValue(options.ignore());
        layout.requireClasses(dataset, labels);
        boolean cityscapes = layout == LabelFormat.CITYSCAPES;
        Dataset<Row> imageFiles = ImageListing.list(spark, "--images", options.images(),
                cityscapes ? "*" + CityscapesLabels.IMAGE_SUFFIX : InputPaths.imageFilter(), cityscapes)
                .withColumn("key", key(layout, true).apply(col("path")))
                .filter(col("key").isNotNull());
        Dataset<Row> labelFiles = ImageListing.list(spark, "--labels", labels,
                cityscapes ? "*" + CityscapesLabels.LABEL_SUFFIX : "*", cityscapes)
                .withColumn("key", key(layout, false).apply(col("path")))
                .filter(col("key").isNotNull())
                // as LabelledImages: the first label of a key in path order, with its own length
                .groupBy("key").agg(min(struct(col("path"), col("length"))).as("label"))
                .select(col("key"), col("label.path").as("label_path"), col("label.length").as("label_length"));
        Dataset<Row> paired = imageFiles.join(labelFiles, imageFiles.col("key").equalTo(labelFiles.col("key")),
                "left_outer").select(col("path"), col("length"), col("label_path"), col("label_length"),
                imageFiles.col("key"));
        List<String> skipped = new ArrayList<>();
        long unlabelled = 0;
        long total;
        if (options.list() != null) {
            paired = listed(spark, paired, options);
            total = paired.count();
            // as the command: a listed image without its label is skipped and named
            for (Row row : paired.filter(col("label_path").isNull()).select("path", "key").collectAsList()) {
                skipped.add(row.getString(0) + ": no label image named "
                        + LabelledImages.expectedLabel(layout, row.getString(1)) + " in " + labels);
            }
        } else {
            total = paired.count();
            unlabelled = paired.filter(col("label_path").isNull()).count();
            if (unlabelled == total) {
                Row first = paired.orderBy("path").select("path", "key").first();
                throw new InvalidInputException("None of the " + total + " images in " + options.images() + " has a "
                        + "label in " + labels + " (for " + new org.apache.hadoop.fs.Path(first.getString(0)).getName()
                        + ", " + LabelledImages.expectedLabel(layout, first.getString(1)) + " was looked for).");
            }
        }
        Dataset<Row> labelled = paired.filter(col("label_path").isNotNull())
                .select("path", "length", "label_path", "label_length");
        long scorable = total - unlabelled - skipped.size();
        PartitionScore score = new PartitionScore(new ConfusionMatrix(dataset.numClasses()), 0, List.of());
        if (scorable > 0) {
            EvaluatePartition task = new EvaluatePartition(shipped.model(),
                    new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()), layout, dataset.numClasses(),
                    ignored, options.limits());
            score = labelled.repartitionByRange(Tasks.partitions(spark, scorable, options.imagesPerTask()),
                    col("path")).javaRDD().mapPartitions(task).reduce(PartitionScore::sum);
        }
        skipped.addAll(score.skipped());
        return new Result(new EvaluationReport(dataset, score.matrix(), (int) score.scored()), unlabelled, total,
                skipped);
    }

    /**
     * The rows of the images {@code --list} names by file stem (the first image of a stem in path order, as the
     * command takes it).
     *
     * @throws InvalidInputException as the command: a listed stem without an image, a list that names none
     */
    private static Dataset<Row> listed(SparkSession spark, Dataset<Row> paired, EvaluateJobOptions options)
            throws IOException, InvalidInputException {
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(options.list());
        org.apache.hadoop.fs.FileSystem fs = file.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!fs.isFile(file)) {
            throw new InvalidInputException("--list " + options.list() + " is not a file");
        }
        List<LabelledImages.ListedStem> stems;
        try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(fs.open(file),
                java.nio.charset.StandardCharsets.UTF_8.newDecoder()))) {
            stems = LabelledImages.readList(options.list(), lines);
        }
        UDF1<String, String> stemOf = path -> FileNames.stem(new org.apache.hadoop.fs.Path(path).getName());
        Dataset<Row> wanted = spark.createDataset(stems.stream().map(LabelledImages.ListedStem::stem).distinct()
                .toList(), Encoders.STRING()).toDF("stem");
        Dataset<Row> chosen = paired.withColumn("stem", udf(stemOf, DataTypes.StringType).apply(col("path")))
                .join(broadcast(wanted), "stem")
                .groupBy("stem").agg(min(struct(col("path"), col("length"), col("label_path"), col("label_length"),
                        col("key"))).as("image"))
                .select(col("stem"), col("image.path").as("path"), col("image.length").as("length"),
                        col("image.label_path").as("label_path"), col("image.label_length").as("label_length"),
                        col("image.key").as("key"));
        java.util.Set<String> found = new java.util.HashSet<>(chosen.select("stem").as(Encoders.STRING())
                .collectAsList());
        List<LabelledImages.ListedStem> missing = stems.stream().filter(stem -> !found.contains(stem.stem())).toList();
        if (!missing.isEmpty()) {
            throw LabelledImages.unlistedImages(options.list(), options.images(), missing, stems.size());
        }
        return chosen.drop("stem");
    }

    /** The pairing key of a file path under {@code format}: {@link LabelledImages#imageKey} or its label twin. */
    private static UserDefinedFunction key(LabelFormat format, boolean image) {
        UDF1<String, String> key = path -> {
            String name = new org.apache.hadoop.fs.Path(path).getName();
            return image ? LabelledImages.imageKey(format, name) : LabelledImages.labelKey(format, name);
        };
        return org.apache.spark.sql.functions.udf(key, DataTypes.StringType);
    }

    /** The command's {@code auto}: Cityscapes when the labels hold a {@code *_gtFine_labelIds.png}. */
    private static LabelFormat detect(SparkSession spark, String labels) throws InvalidInputException {
        try {
            ImageListing.list(spark, "--labels", labels, "*" + CityscapesLabels.LABEL_SUFFIX, true);
            return LabelFormat.CITYSCAPES;
        } catch (InvalidInputException e) {
            ImageListing.list(spark, "--labels", labels, "*", false); // says so if the directory is missing
            return LabelFormat.INDEX;
        }
    }
}
