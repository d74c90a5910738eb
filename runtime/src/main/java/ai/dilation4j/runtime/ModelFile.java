package ai.dilation4j.runtime;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The dilation4j model file: a DL4J {@link ModelSerializer} zip ({@code configuration.json},
 * {@code coefficients.bin}) plus a {@value #METADATA_ENTRY} entry. Any DL4J program can restore the graph with
 * {@code ModelSerializer.restoreComputationGraph}; dilation4j also reads the metadata.
 *
 * <p>The zip is written by this class rather than by {@code ModelSerializer.writeModel}, which closes the
 * archive before extra entries can be added and deflates the parameters at its slowest level; a model of
 * hundreds of MB saves several times faster at {@link Deflater#BEST_SPEED}.
 */
public final class ModelFile {

    public static final String METADATA_ENTRY = "dilation4j/metadata.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ModelFile() {
    }

    /**
     * Writes graph and metadata to {@code target}. The file appears only when complete: it is written next to
     * the target under a temporary name and moved into place, so a failure never leaves a partial model.
     */
    public static void write(ComputationGraph graph, ModelMetadata metadata, Path target) throws ModelFileException {
        Path absolute = target.toAbsolutePath();
        Path directory = absolute.getParent();
        Path temp = null;
        try {
            Files.createDirectories(directory);
            temp = Files.createTempFile(directory, "." + absolute.getFileName(), ".partial");
            try (OutputStream file = Files.newOutputStream(temp);
                 ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(file, 1 << 20))) {
                zip.setLevel(Deflater.BEST_SPEED);
                zip.putNextEntry(new ZipEntry(ModelSerializer.CONFIGURATION_JSON));
                zip.write(graph.getConfiguration().toJson().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();

                zip.putNextEntry(new ZipEntry(METADATA_ENTRY));
                zip.write(JSON.writeValueAsBytes(metadata));
                zip.closeEntry();

                zip.putNextEntry(new ZipEntry(ModelSerializer.COEFFICIENTS_BIN));
                DataOutputStream data = new DataOutputStream(zip);
                Nd4j.write(graph.params(), data);
                data.flush();
                zip.closeEntry();
            }
            Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            temp = null;
        } catch (IOException e) {
            throw new ModelFileException("Cannot write model file " + target + ": " + e.getMessage()
                    + ". Check that the directory is writable and the disk has room.", e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the original failure is what the caller needs to see
                }
            }
        }
    }

    /** Reads only the metadata, without loading the weights. */
    public static ModelMetadata readMetadata(Path file) throws ModelFileException {
        try (ZipFile zip = openZip(file)) {
            ZipEntry entry = zip.getEntry(METADATA_ENTRY);
            if (entry == null) {
                throw new ModelFileException(file + " is a DL4J model without dilation4j metadata. Convert the Caffe "
                        + "model with `dilation4j convert` to get a file dilation4j can run.");
            }
            try (InputStream in = zip.getInputStream(entry)) {
                ModelMetadata metadata = JSON.readValue(in, ModelMetadata.class);
                if (metadata.formatVersion() > ModelMetadata.FORMAT_VERSION) {
                    throw new ModelFileException(file + " was written by a newer dilation4j (metadata format "
                            + metadata.formatVersion() + "); upgrade dilation4j to read it.");
                }
                return metadata;
            }
        } catch (IOException e) {
            throw new ModelFileException("Cannot read the metadata of model file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Restores the DL4J graph with its weights. */
    public static ComputationGraph readGraph(Path file) throws ModelFileException {
        try (ZipFile zip = openZip(file)) {
            for (String required : new String[] {ModelSerializer.CONFIGURATION_JSON, ModelSerializer.COEFFICIENTS_BIN}) {
                if (zip.getEntry(required) == null) {
                    throw new ModelFileException(file + " has no " + required + " entry: it is not a DL4J model file.");
                }
            }
        } catch (IOException e) {
            throw new ModelFileException("Cannot read model file " + file + ": " + e.getMessage(), e);
        }
        try {
            return ModelSerializer.restoreComputationGraph(file.toFile(), false);
        } catch (IOException | RuntimeException e) {
            throw new ModelFileException("Model file " + file + " is damaged (" + e.getMessage()
                    + "). Convert the Caffe model again.", e);
        }
    }

    private static ZipFile openZip(Path file) throws ModelFileException, IOException {
        try {
            return new ZipFile(file.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new ModelFileException("Model file " + file + " does not exist. Convert a Caffe model with "
                    + "`dilation4j convert --prototxt P --weights W -o " + file.getFileName() + "` first.", e);
        } catch (ZipException e) {
            throw new ModelFileException("Model file " + file + " is not a dilation4j model or is truncated ("
                    + e.getMessage() + "). Convert the Caffe model again.", e);
        }
    }
}
