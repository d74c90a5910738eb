package ai.dilation4j.spark;

/**
 * The job jar's entry point when {@code spark-submit} is given no {@code --class}: the segment job. Run without
 * Spark on the classpath ({@code java -jar dilation4j-spark.jar}), it says how to submit the job instead of failing
 * with a missing class; it names no Spark class itself, so that it loads without Spark.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        try {
            Class.forName("org.apache.spark.sql.SparkSession", false, Main.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            System.err.println("dilation4j-spark: Spark is not on the classpath; submit the job with spark-submit, e.g.");
            System.err.println("  spark-submit --master local[2] --class ai.dilation4j.spark.SegmentJob "
                    + "dilation4j-spark.jar --model MODEL --input IMAGES --output DIR");
            System.err.println("(ai.dilation4j.spark.EvaluateJob scores a labelled set; --help on either lists its "
                    + "options).");
            System.exit(2); // usage, as JobCommand.USAGE: naming JobCommand here would load Spark's classes
        }
        SegmentJob.main(args);
    }
}
