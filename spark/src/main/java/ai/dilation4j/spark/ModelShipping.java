package ai.dilation4j.spark;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkContext;

import ai.dilation4j.models.ModelZoo;
import ai.dilation4j.runtime.DilationException;
import ai.dilation4j.runtime.ModelFileException;
import ai.dilation4j.runtime.ModelMetadata;
import ai.dilation4j.runtime.model.ModelFile;

/**
 * The driver's half of "one model per executor JVM": resolves {@code --model} (a preset, fetched and converted into
 * the driver's cache on first use; a local file; or a Hadoop URI such as {@code hdfs://} or {@code s3a://}, copied
 * to the driver), checks the file as the CLI does before a single task starts — an unusable model fails here with
 * the CLI's message —, and ships it to every executor with {@link SparkContext#addFile}, Spark's mechanism behind
 * {@code --files}.
 */
final class ModelShipping {

    private ModelShipping() {
    }

    /** What was shipped, and the metadata the driver read (dataset, classes). */
    record Shipped(ShippedModel model, ModelMetadata metadata) {
    }

    static Shipped ship(SparkContext spark, String model, int threadsPerTask, ModelZoo zoo) throws DilationException,
            IOException {
        Path local = localFile(spark.hadoopConfiguration(), model, zoo);
        ModelMetadata metadata = ModelFile.verify(local);
        String uri = local.toAbsolutePath().toUri().toString();
        if (!spark.listFiles().contains(uri)) { // added by an earlier job of this application
            spark.addFile(uri);
        }
        return new Shipped(new ShippedModel(local.getFileName().toString(), Files.size(local), metadata.name(),
                threadsPerTask), metadata);
    }

    private static Path localFile(Configuration conf, String model, ModelZoo zoo) throws DilationException,
            IOException {
        String scheme = schemeOf(model);
        if (scheme == null || scheme.equals("file")) {
            return zoo.resolve(scheme == null ? model : Path.of(URI.create(model)).toString());
        }
        org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(model);
        FileSystem fs = remote.getFileSystem(conf);
        if (!fs.exists(remote)) {
            throw new ModelFileException("Model file " + model + " does not exist; give a model file written by "
                    + "`dilation4j convert` or a preset name.");
        }
        Path copy = Files.createTempDirectory("dilation4j-model").resolve(remote.getName());
        copy.getParent().toFile().deleteOnExit();
        copy.toFile().deleteOnExit();
        fs.copyToLocalFile(false, remote, new org.apache.hadoop.fs.Path(copy.toUri()), true);
        return copy;
    }

    /** The URI scheme of {@code model}, lower case, or null for a plain path or preset name. */
    static String schemeOf(String model) {
        int colon = model.indexOf(':');
        if (colon < 2) { // "C:" is a drive, not a scheme
            return null;
        }
        String scheme = model.substring(0, colon);
        return scheme.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '+' || c == '-' || c == '.')
                ? scheme.toLowerCase(Locale.ROOT) : null;
    }
}
