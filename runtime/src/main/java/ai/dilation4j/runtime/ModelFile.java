package ai.dilation4j.runtime;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import ai.dilation4j.runtime.graph.OpenMpWaitPolicy;
import ai.dilation4j.runtime.io.AtomicFiles;
import ai.dilation4j.runtime.io.Nd4jBinary;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The dilation4j model file: a DL4J {@link ModelSerializer} zip ({@code configuration.json},
 * {@code coefficients.bin}) plus a {@value #METADATA_ENTRY} entry. Any DL4J program can restore the graph with
 * {@code ModelSerializer.restoreComputationGraph}; dilation4j also reads the metadata.
 *
 * <p>The zip is written by this class rather than by {@code ModelSerializer.writeModel}, which closes the
 * archive before extra entries can be added and deflates the parameters at its slowest level. The file appears
 * only when complete, so a failed save never leaves a partial model.
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
        try {
            AtomicFiles.write(target, out -> {
                ZipOutputStream zip = new ZipOutputStream(out);
                zip.setLevel(Deflater.BEST_SPEED);
                zip.putNextEntry(new ZipEntry(ModelSerializer.CONFIGURATION_JSON));
                zip.write(graph.getConfiguration().toJson().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();

                zip.putNextEntry(new ZipEntry(METADATA_ENTRY));
                zip.write(JSON.writeValueAsBytes(metadata));
                zip.closeEntry();

                // Trained weights do not compress (deflate saves ~7% at ~25 s per 500 MB), so they are STORED,
                // which also lets loading read them without inflating; that needs their size and CRC up front.
                INDArray params = graph.params();
                CRC32 crc = new CRC32();
                long size = serializeParams(params, new CheckedOutputStream(OutputStream.nullOutputStream(), crc));
                ZipEntry coefficients = new ZipEntry(ModelSerializer.COEFFICIENTS_BIN);
                coefficients.setMethod(ZipEntry.STORED);
                coefficients.setSize(size);
                coefficients.setCompressedSize(size);
                coefficients.setCrc(crc.getValue());
                zip.putNextEntry(coefficients);
                serializeParams(params, zip);
                zip.closeEntry();
                zip.finish();
            });
        } catch (IOException e) {
            throw new ModelFileException("Cannot write model file " + target + ": " + e.getMessage()
                    + ". Check that the directory is writable and the disk has room.", e);
        }
    }

    /** Writes the parameters in {@code Nd4j.write}'s format, as ModelSerializer stores them; returns the byte count. */
    private static long serializeParams(INDArray params, OutputStream target) throws IOException {
        CountingOutputStream counter = new CountingOutputStream(target);
        // Nd4j.write emits one value at a time: buffer it, or every value is a separate write downstream.
        DataOutputStream data = new DataOutputStream(new BufferedOutputStream(counter, 1 << 20));
        Nd4j.write(params, data);
        data.flush();
        return counter.count;
    }

    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        private long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
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

    /**
     * Restores the DL4J graph with its weights. Float parameters stored uncompressed (as {@link #write} stores
     * them) are read in bulk, checking their CRC; anything else goes through {@code ModelSerializer}.
     */
    public static ComputationGraph readGraph(Path file) throws ModelFileException {
        OpenMpWaitPolicy.preferPassive(); // before the first graph starts ND4J's OpenMP threads
        try (ZipFile zip = openZip(file)) {
            for (String required : new String[] {ModelSerializer.CONFIGURATION_JSON, ModelSerializer.COEFFICIENTS_BIN}) {
                if (zip.getEntry(required) == null) {
                    throw new ModelFileException(file + " has no " + required + " entry: it is not a DL4J model file.");
                }
            }
            ZipEntry coefficients = zip.getEntry(ModelSerializer.COEFFICIENTS_BIN);
            // The bulk reader writes host memory directly, which only the CPU backend reads without a sync.
            if (coefficients.getMethod() == ZipEntry.STORED && Nd4j.getEnvironment().isCPU()) {
                String json;
                try (InputStream in = zip.getInputStream(zip.getEntry(ModelSerializer.CONFIGURATION_JSON))) {
                    json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                INDArray params;
                CRC32 crc = new CRC32();
                try (InputStream in = new CheckedInputStream(zip.getInputStream(coefficients), crc)) {
                    params = Nd4jBinary.readFloatArray(new java.io.BufferedInputStream(in, 1 << 16));
                    in.transferTo(OutputStream.nullOutputStream());
                }
                if (crc.getValue() != coefficients.getCrc()) {
                    throw new IOException("the parameters do not match their CRC");
                }
                if (params != null) {
                    ComputationGraph graph = new ComputationGraph(ComputationGraphConfiguration.fromJson(json));
                    graph.init(params, false);
                    return graph;
                }
            }
        } catch (IOException | RuntimeException e) {
            throw damaged(file, e);
        }
        try {
            return ModelSerializer.restoreComputationGraph(file.toFile(), false);
        } catch (IOException | RuntimeException e) {
            throw damaged(file, e);
        }
    }

    private static ModelFileException damaged(Path file, Exception cause) {
        return new ModelFileException("Model file " + file + " is damaged (" + cause.getMessage()
                + "). Convert the Caffe model again.", cause);
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
