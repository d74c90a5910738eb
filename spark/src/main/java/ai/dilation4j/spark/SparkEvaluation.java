package ai.dilation4j.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;

import java.io.IOException;
import java.util.List;

import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.sql.Dataset;
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
import ai.dilation4j.runtime.image.ImageLimits;

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
     * @param format   the label layout; null to detect it as the command's {@code auto} does
     * @param ignore   the label value not scored (-1 for none); null for the default (255, or Cityscapes' ignored IDs)
     * @throws InvalidInputException if no image has a label, or the options do not fit the labels or the model
     */
    public static Result run(SparkSession spark, String model, String images, String labels, LabelFormat format,
                             Integer ignore, int threadsPerTask, int imagesPerTask, ImageLimits limits, ModelZoo zoo)
            throws DilationException, IOException {
        ModelShipping.Shipped shipped = ModelShipping.ship(spark.sparkContext(), model, threadsPerTask, zoo);
        DatasetSpec dataset = shipped.metadata().datasetSpec().orElseThrow(() -> new InvalidInputException("Model "
                + shipped.metadata().name() + " carries no dataset fields (mean, margin, zoom, palette); convert it "
                + "with --preset."));
        LabelFormat layout = format != null ? format : detect(spark, labels);
        int ignored = layout.ignoredValue(ignore);
        layout.requireClasses(dataset, labels);
        boolean cityscapes = layout == LabelFormat.CITYSCAPES;
        Dataset<Row> imageFiles = ImageListing.list(spark, "--images", images,
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
                "left_outer").select(col("path"), col("length"), col("label_path"), col("label_length"));
        long total = paired.count();
        Dataset<Row> labelled = paired.filter((FilterFunction<Row>) row -> !row.isNullAt(2));
        long scorable = labelled.count();
        if (scorable == 0) {
            throw new InvalidInputException("None of the " + total + " images in " + images + " has a label in "
                    + labels + ".");
        }
        int partitions = Tasks.partitions(spark, scorable, imagesPerTask);
        EvaluatePartition task = new EvaluatePartition(shipped.model(),
                new HadoopConfiguration(spark.sparkContext().hadoopConfiguration()), layout, dataset.numClasses(),
                ignored, limits);
        PartitionScore score = labelled.repartitionByRange(partitions, col("path")).javaRDD().mapPartitions(task)
                .reduce(PartitionScore::sum);
        ConfusionMatrix matrix = score.matrix();
        return new Result(new EvaluationReport(dataset, matrix, (int) score.scored()), total - scorable, total,
                score.skipped());
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
