package ai.dilation4j.spark;

import java.io.FileNotFoundException;
import java.io.IOException;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import ai.dilation4j.runtime.InvalidInputException;

/**
 * The files of an input as Spark's {@code binaryFile} source lists them: {@code (path, length)} rows. The content
 * column is not selected, so listing reads no image; the tasks read each file themselves within the byte limit.
 */
final class ImageListing {

    private ImageListing() {
    }

    /**
     * @param option the command-line option the input came from, for messages
     * @throws InvalidInputException if the input does not exist or matches no file
     */
    static Dataset<Row> list(SparkSession spark, String option, String input, String include, boolean recursive)
            throws InvalidInputException {
        Dataset<Row> files;
        try {
            files = spark.read().format("binaryFile").option("pathGlobFilter", include)
                    .option("recursiveFileLookup", recursive).load(input).select("path", "length");
        } catch (Exception e) { // AnalysisException is checked in Scala's eyes only
            if (e instanceof AnalysisException) {
                throw new InvalidInputException(option + " " + input + " does not exist (" + firstLine(e) + ").");
            }
            throw e;
        }
        if (files.isEmpty()) {
            throw new InvalidInputException(option + " " + input + " holds no file matching " + include
                    + (recursive ? "" : " (directories are not searched)") + ".");
        }
        return files;
    }

    /** {@link InputPaths#base} of an input, or the input's own message when it does not exist. */
    static String base(SparkSession spark, String option, String input) throws InvalidInputException, IOException {
        Path path = new Path(input);
        FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
        try {
            return InputPaths.base(path, fs);
        } catch (FileNotFoundException e) {
            throw new InvalidInputException(option + " " + input + " does not exist.");
        }
    }

    private static String firstLine(Exception e) {
        String message = e instanceof AnalysisException analysis ? analysis.getSimpleMessage() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
