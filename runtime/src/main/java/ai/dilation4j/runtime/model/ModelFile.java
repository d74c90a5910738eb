package ai.dilation4j.runtime.model;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import ai.dilation4j.runtime.device.OpenMpWaitPolicy;
import ai.dilation4j.runtime.io.ArraySizes;
import ai.dilation4j.runtime.io.AtomicFiles;
import ai.dilation4j.runtime.io.BoundedEntryStream;
import ai.dilation4j.runtime.io.Nd4jBinary;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.ModelFileException;
import ai.dilation4j.runtime.ModelMetadata;

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

    /** Bounds on what an entry may inflate to; a DilatedNet's configuration is ~100 KB, its metadata ~10 KB. */
    private static final long MAX_CONFIGURATION_BYTES = 64L << 20;
    private static final long MAX_METADATA_BYTES = 16L << 20;
    private static final long MAX_PARAMETER_DEFLATE_RATIO = 16;
    private static final int MAX_REASON_CHARS = 300;
    /** coefficients.bin's headers: three short strings, two lengths and at most 68 shape values. */
    private static final int MAX_HEADER_BYTES = 1 << 20;

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
        write(graph, metadata, target, java.util.Map.of());
    }

    /**
     * {@link #write(ComputationGraph, ModelMetadata, Path)} with more entries after the model's own, e.g. a training
     * checkpoint's optimizer state: the file stays an ordinary model file (readers skip entries they do not know),
     * and the extra entries appear atomically with it.
     *
     * @param extraEntries entry name → what writes its content, in the map's order
     */
    public static void write(ComputationGraph graph, ModelMetadata metadata, Path target,
                             java.util.Map<String, AtomicFiles.ContentWriter> extraEntries) throws ModelFileException {
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
                for (java.util.Map.Entry<String, AtomicFiles.ContentWriter> extra : extraEntries.entrySet()) {
                    zip.putNextEntry(new ZipEntry(extra.getKey()));
                    extra.getValue().write(zip);
                    zip.closeEntry();
                }
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
            ModelMetadata metadata;
            try (InputStream in = new BoundedEntryStream(zip.getInputStream(entry), entry.getName(),
                    MAX_METADATA_BYTES)) {
                metadata = JSON.readValue(in, ModelMetadata.class);
            } catch (JsonProcessingException e) {
                throw new ModelFileException("Model file " + file + " has unreadable dilation4j metadata ("
                        + oneLine(e) + "). Convert the Caffe model again.", e);
            }
            if (metadata.formatVersion() > ModelMetadata.FORMAT_VERSION) {
                throw new ModelFileException(file + " was written by a newer dilation4j (metadata format "
                        + metadata.formatVersion() + "); upgrade dilation4j to read it.");
            }
            checkMetadata(metadata, file);
            return metadata;
        } catch (BoundedEntryStream.TooLargeException e) {
            throw tooLarge(file, e);
        } catch (IOException e) {
            throw new ModelFileException("Cannot read the metadata of model file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Restores the DL4J graph with its weights. The configuration is checked (layer geometry, parameter count)
     * and the size of the stored parameters compared with it before anything is allocated. Float parameters are
     * read in bulk on the CPU, checking their CRC; other types and backends go through {@code Nd4j.read}.
     */
    public static ComputationGraph readGraph(Path file) throws ModelFileException {
        return readGraph(file, null);
    }

    /**
     * {@link #readGraph(Path)}, also checking that the graph fits the metadata read with {@link #readMetadata}:
     * the same input, blobs that exist, the recorded number of classes.
     */
    public static ComputationGraph readGraph(Path file, ModelMetadata metadata) throws ModelFileException {
        OpenMpWaitPolicy.preferPassive(); // before the first graph starts ND4J's OpenMP threads
        try (ZipFile zip = openZip(file)) {
            ZipEntry coefficients = requireEntry(zip, ModelSerializer.COEFFICIENTS_BIN, file);
            ComputationGraphConfiguration configuration = readConfiguration(zip, file);
            ModelConfigurationCheck check = new ModelConfigurationCheck(file, configuration);
            long parameters = check.parameterCount();
            if (metadata != null) {
                check.requireFits(metadata);
            }
            INDArray params = readParameters(zip, coefficients, parameters, file);
            if (params.dataType() != configuration.getDataType()) {
                // as ModelSerializer does: configurations older than 1.0.0-beta4 do not record their type
                configuration.setDataType(params.dataType());
            }
            try {
                ComputationGraph graph = new ComputationGraph(configuration);
                graph.init(params, false);
                return graph;
            } catch (RuntimeException e) {
                throw new ModelFileException("Model file " + file + ": DL4J cannot build its graph (" + oneLine(e)
                        + "). Convert the Caffe model again.", e);
            }
        } catch (BoundedEntryStream.TooLargeException e) {
            throw tooLarge(file, e);
        } catch (IOException | RuntimeException e) {
            throw damaged(file, e);
        }
    }

    /**
     * Checks what {@link #readGraph(Path, ModelMetadata)} checks before it allocates the weights (metadata,
     * configuration, the graph against the metadata, the stored parameters' count and size) without reading the
     * weights, with the same messages: for a process that only hands the file on, such as a Spark driver.
     */
    public static ModelMetadata verify(Path file) throws ModelFileException {
        ModelMetadata metadata = readMetadata(file);
        try (ZipFile zip = openZip(file)) {
            ZipEntry coefficients = requireEntry(zip, ModelSerializer.COEFFICIENTS_BIN, file);
            ModelConfigurationCheck check = new ModelConfigurationCheck(file, readConfiguration(zip, file));
            long parameters = check.parameterCount(); // first, as readGraph does: the same file, the same message
            check.requireFits(metadata);
            try (DataInputStream data = new DataInputStream(new BufferedInputStream(zip.getInputStream(coefficients),
                    MAX_HEADER_BYTES))) {
                checkedParameterHeader(data, coefficients, parameters, file);
            }
            return metadata;
        } catch (BoundedEntryStream.TooLargeException e) {
            throw tooLarge(file, e);
        } catch (IOException | RuntimeException e) {
            throw damaged(file, e);
        }
    }

    /**
     * Reads coefficients.bin after checking its header against the parameter count the configuration implies and
     * its data size against what the file can hold, so no claim it makes is allocated unchecked.
     */
    private static INDArray readParameters(ZipFile zip, ZipEntry coefficients, long expected, Path file)
            throws IOException, ModelFileException {
        CRC32 crc = new CRC32();
        try (InputStream in = new CheckedInputStream(zip.getInputStream(coefficients), crc)) {
            BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
            buffered.mark(MAX_HEADER_BYTES);
            DataInputStream data = new DataInputStream(buffered);
            Nd4jBinary.Header header = checkedParameterHeader(data, coefficients, expected, file);
            INDArray params;
            // The bulk reader writes host memory directly, which only the CPU backend reads without a sync.
            if (header.isFloat() && Nd4j.getEnvironment().isCPU()) {
                params = Nd4jBinary.readFloatData(data, header);
            } else {
                buffered.reset();
                params = Nd4j.read(data);
            }
            in.transferTo(OutputStream.nullOutputStream());
            if (crc.getValue() != coefficients.getCrc()) {
                throw new IOException("the parameters do not match their CRC");
            }
            return params;
        }
    }

    /**
     * The header of coefficients.bin, checked against the parameter count the configuration implies and its data size
     * against what the file can hold.
     */
    private static Nd4jBinary.Header checkedParameterHeader(DataInputStream data, ZipEntry coefficients, long expected,
                                                            Path file) throws IOException, ModelFileException {
        Nd4jBinary.Header header = Nd4jBinary.readHeader(data);
        if (header.length() != expected) {
            throw new ModelFileException("Model file " + file + ": coefficients.bin holds " + header.length()
                    + " parameters but the configuration has " + expected + "; the file is damaged or its "
                    + "entries come from different models. Convert the Caffe model again.");
        }
        long dataBytes = header.dataBytes();
        long fileBytes = Files.size(file);
        // Stored data cannot exceed the file; trained weights barely deflate (~7%), so deflated data many
        // times the file's size is zeros or a decompression bomb, not a model.
        long mostBytes = coefficients.getMethod() == ZipEntry.STORED ? fileBytes
                : fileBytes * MAX_PARAMETER_DEFLATE_RATIO;
        if (dataBytes < 0 || dataBytes > mostBytes) {
            throw new ModelFileException("Model file " + file + ": coefficients.bin declares " + header.length()
                    + " " + header.dataType() + " parameters (" + dataBytes + " bytes) in a file of " + fileBytes
                    + " bytes; the file is damaged. Convert the Caffe model again.");
        }
        return header;
    }

    private static ComputationGraphConfiguration readConfiguration(ZipFile zip, Path file)
            throws IOException, ModelFileException {
        ZipEntry entry = requireEntry(zip, ModelSerializer.CONFIGURATION_JSON, file);
        try (InputStream in = new BoundedEntryStream(zip.getInputStream(entry), entry.getName(),
                MAX_CONFIGURATION_BYTES)) {
            return parseConfiguration(new String(in.readAllBytes(), StandardCharsets.UTF_8), file);
        }
    }

    private static ComputationGraphConfiguration parseConfiguration(String json, Path file)
            throws ModelFileException {
        try {
            return ComputationGraphConfiguration.fromJson(MovedClassNames.current(json));
        } catch (RuntimeException | StackOverflowError e) {
            // StackOverflowError: a configuration nested deeply enough exhausts Jackson's recursion
            throw new ModelFileException("Model file " + file + " has an unreadable configuration.json"
                    + vertexOf(e).map(vertex -> " at vertex '" + vertex + "'").orElse("") + " (" + oneLine(e)
                    + "). Convert the Caffe model again.", e);
        }
    }

    /** Where in the configuration Jackson failed: the key under "vertices", when the path has one. */
    private static Optional<String> vertexOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // DL4J parses configurations with its shaded Jackson
            if (t instanceof org.nd4j.shade.jackson.databind.JsonMappingException mapping) {
                List<org.nd4j.shade.jackson.databind.JsonMappingException.Reference> path = mapping.getPath();
                for (int i = 0; i + 1 < path.size(); i++) {
                    if ("vertices".equals(path.get(i).getFieldName()) && path.get(i + 1).getFieldName() != null) {
                        return Optional.of(path.get(i + 1).getFieldName());
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The most specific reason of an exception chain on one line: DL4J and Jackson wrap causes and append
     * multi-line locations, which a one-line error message must not carry.
     */
    static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root instanceof JsonProcessingException json ? json.getOriginalMessage()
                : root instanceof org.nd4j.shade.jackson.core.JsonProcessingException json ? json.getOriginalMessage()
                : root.getMessage();
        if (message == null || message.isBlank()) {
            message = root.getClass().getSimpleName();
        }
        String line = message.strip().lines().findFirst().orElse("").strip();
        return line.length() > MAX_REASON_CHARS ? line.substring(0, MAX_REASON_CHARS) + "..." : line;
    }

    private static void checkMetadata(ModelMetadata metadata, Path file) throws ModelFileException {
        long[] shape = metadata.inputShape();
        String problem = null;
        if (shape.length != 4 || Arrays.stream(shape).anyMatch(d -> d < 1)) {
            problem = "input shape " + Arrays.toString(shape) + " is not 4 positive dimensions (N, C, H, W)";
        } else if (!ArraySizes.fitsOneArray(shape)) {
            problem = "input shape " + Arrays.toString(shape) + " is " + ArraySizes.describe(shape)
                    + ", more than one array holds";
        } else if (metadata.numClasses() < 1) {
            problem = "it records " + metadata.numClasses() + " classes";
        } else if (metadata.blobVertices() == null || !metadata.blobVertices().containsKey(metadata.outputBlob())) {
            problem = "its output blob '" + metadata.outputBlob() + "' is not among its blobs";
        } else if (metadata.dataset() != null && metadata.dataset().numClasses() != metadata.numClasses()) {
            problem = "its dataset has " + metadata.dataset().numClasses() + " classes but the network "
                    + metadata.numClasses();
        }
        if (problem != null) {
            throw new ModelFileException("Model file " + file + " has invalid dilation4j metadata: " + problem
                    + ". Convert the Caffe model again.");
        }
    }

    private static ZipEntry requireEntry(ZipFile zip, String name, Path file) throws ModelFileException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new ModelFileException(file + " has no " + name + " entry: it is not a DL4J model file.");
        }
        return entry;
    }

    private static ModelFileException damaged(Path file, Exception cause) {
        return new ModelFileException("Model file " + file + " is damaged (" + oneLine(cause)
                + "). Convert the Caffe model again.", cause);
    }

    private static ModelFileException tooLarge(Path file, BoundedEntryStream.TooLargeException e) {
        return new ModelFileException("Model file " + file + ": its " + e.entry() + " entry inflates to more than "
                + (e.limit() >> 20) + " MB, far more than any dilation4j model needs; the file is damaged or not a "
                + "dilation4j model. Convert the Caffe model again.", e);
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
