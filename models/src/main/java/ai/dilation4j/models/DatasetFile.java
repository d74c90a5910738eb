package ai.dilation4j.models;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.SourceFile;
import ai.dilation4j.runtime.io.Sha256;

/**
 * The dataset fields of a network trained on other data than the presets', in a JSON file of their own: the fields
 * of a preset file that describe the data, under the same names ({@code name}, {@code classes}, {@code palette},
 * {@code meanBgr}, {@code labelMargin}, {@code zoom}), e.g.
 * <pre>{@code
 * {"name": "roads", "classes": ["background", "road"], "palette": [[0, 0, 0], [128, 64, 128]],
 *  "meanBgr": [104.0, 117.0, 123.0], "labelMargin": 186, "zoom": 8}
 * }</pre>
 * The fields only a preset has ({@code modelName}, {@code inputHeight}, {@code inputWidth}, {@code prototxt},
 * {@code weights}) are ignored, so a preset file serves as a dataset file as it is; any other field is an error, so a
 * misspelt field is not silently dropped.
 *
 * @param file    the file read
 * @param dataset the fields it holds
 * @param source  the file as read (name, size, SHA-256), to record with a model converted with it
 */
public record DatasetFile(Path file, DatasetSpec dataset, SourceFile source) {

    /** A dataset description is a few KB even with hundreds of classes; a larger file is refused unread. */
    public static final long MAX_BYTES = 1 << 20;

    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    public DatasetFile {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(source, "source");
    }

    /**
     * Reads and checks a dataset file.
     *
     * @throws InvalidInputException in one line naming the file and, for a wrong content, the field
     */
    public static DatasetFile read(Path file) throws InvalidInputException {
        String where = "Dataset file " + file;
        byte[] bytes = readBounded(file, where);
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new InvalidInputException(where + " is not valid JSON: " + e.getOriginalMessage().lines().findFirst()
                    .orElse("") + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")")
                    + ".", e);
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read dataset file " + file + ": " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new InvalidInputException(where + " is empty; it must hold a JSON object with the fields "
                    + String.join(", ", DatasetFields.NAMES) + ".");
        }
        DatasetSpec dataset = DatasetFields.read(root, where);
        List<String> presetOnly = ModelRegistry.presetOnlyFields();
        for (var fields = root.fieldNames(); fields.hasNext(); ) {
            String field = fields.next();
            if (!DatasetFields.NAMES.contains(field) && !presetOnly.contains(field)) {
                throw new InvalidInputException(where + ": '" + field.substring(0, Math.min(field.length(), 60))
                        + "' is not a dataset field; the fields are " + String.join(", ", DatasetFields.NAMES) + ".");
            }
        }
        return new DatasetFile(file, dataset, new SourceFile("dataset", file.getFileName().toString(), bytes.length,
                Sha256.of(bytes)));
    }

    /** The file's bytes, refusing a file over {@link #MAX_BYTES} before reading it (and a stream that grows past). */
    private static byte[] readBounded(Path file, String where) throws InvalidInputException {
        try {
            if (Files.isDirectory(file)) {
                throw new InvalidInputException(where + " is a directory; give the JSON file.");
            }
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw new InvalidInputException(tooLarge(where, size + " bytes"));
            }
            try (InputStream in = Files.newInputStream(file)) {
                byte[] bytes = in.readNBytes((int) MAX_BYTES + 1);
                if (bytes.length > MAX_BYTES) {
                    throw new InvalidInputException(tooLarge(where, "more than " + MAX_BYTES + " bytes"));
                }
                return bytes;
            }
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(where + " does not exist.", e);
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read dataset file " + file + ": " + e.getMessage(), e);
        }
    }

    private static String tooLarge(String where, String size) {
        return where + " is " + size + ", more than the " + MAX_BYTES + " bytes a dataset description may take; "
                + "give the JSON with the fields " + String.join(", ", DatasetFields.NAMES) + ".";
    }
}
