package ai.dilation4j.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.io.Sha256;

/** {@link DatasetFile}: the dataset fields of a preset file, in a file of their own, each mistake named. */
class DatasetFileTest {

    private static final String ROADS = """
            {
              "name": "roads",
              "classes": ["background", "road"],
              "palette": [[0, 0, 0], [128, 64, 128]],
              "meanBgr": [104.5, 117, 123],
              "labelMargin": 20,
              "zoom": 4
            }
            """;

    @TempDir
    Path dir;

    @Test
    void readsTheDatasetFieldsAndRecordsTheFileAsRead() throws Exception {
        Path file = Files.writeString(dir.resolve("roads.json"), ROADS);
        DatasetFile read = DatasetFile.read(file);
        DatasetSpec dataset = read.dataset();
        assertThat(dataset.name()).isEqualTo("roads");
        assertThat(dataset.classNames()).containsExactly("background", "road");
        assertThat(dataset.palette().get(1)).containsExactly(128, 64, 128);
        assertThat(dataset.meanBgr()).containsExactly(104.5, 117, 123);
        assertThat(dataset.labelMargin()).isEqualTo(20);
        assertThat(dataset.zoom()).isEqualTo(4);
        assertThat(read.source().role()).isEqualTo("dataset");
        assertThat(read.source().fileName()).isEqualTo("roads.json");
        assertThat(read.source().bytes()).isEqualTo(Files.size(file));
        assertThat(read.source().sha256()).isEqualTo(Sha256.of(Files.readAllBytes(file)));
    }

    @Test
    void aPresetFileServesAsADatasetFileAsItIs() throws Exception {
        Path file = dir.resolve("pascal_voc.json");
        try (var in = ModelRegistry.class.getResourceAsStream("presets/pascal_voc.json")) {
            Files.copy(in, file);
        }
        assertThat(DatasetFile.read(file).dataset()).isEqualTo(ModelRegistry.find("pascal_voc").orElseThrow().dataset());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "\"zoom\": 4|\"zom\": 4|field 'zoom' is missing",
        "[[0, 0, 0], [128, 64, 128]]|[[0, 0, 0]]|field 'palette' has 1 colours but field 'classes' has 2 names",
        "[128, 64, 128]|[128, 64, 256]|field 'palette' colour 2 (class 'road') must be [R, G, B] with integers 0..255, "
                + "got [128,64,256]",
        "[128, 64, 128]|[128, 64]|field 'palette' colour 2 (class 'road') must be [R, G, B]",
        "[128, 64, 128]|[128, 64, 1.5]|field 'palette' colour 2 (class 'road') must be [R, G, B]",
        "[104.5, 117, 123]|[104.5, 117]|field 'meanBgr' must be 3 numbers (the B, G, R means of the training images), "
                + "got [104.5,117]",
        "[104.5, 117, 123]|[104.5, 117, \"123\"]|field 'meanBgr' must be 3 numbers",
        "[104.5, 117, 123]|104|field 'meanBgr' must be a JSON array, got 104",
        "\"labelMargin\": 20|\"labelMargin\": -1|field 'labelMargin' must be an integer >= 0, got -1",
        "\"zoom\": 4|\"zoom\": 0|field 'zoom' must be an integer >= 1, got 0",
        "\"zoom\": 4|\"zoom\": 2.5|field 'zoom' must be an integer >= 1, got 2.5",
        "\"zoom\": 4|\"zoom\": 4294967297|field 'zoom' must be an integer >= 1, got 4294967297",
        "[\"background\", \"road\"]|[]|field 'classes' is empty",
        "[\"background\", \"road\"]|[\"background\", 7]|field 'classes' entry 2 must be a class name",
        "\"name\": \"roads\"|\"name\": \"\"|field 'name' must be a non-empty string",
        "\"zoom\": 4|\"zoom\": 4, \"meanRgb\": [1, 2, 3]|'meanRgb' is not a dataset field; the fields are name, "
                + "classes, palette, meanBgr, labelMargin, zoom",
        "\"zoom\": 4|\"zoom\": 4, \"zoom\": 8|is not valid JSON: Duplicate field 'zoom' (line 7, column 20)",
        "\"zoom\": 4|\"zoom\": 4,|is not valid JSON: Unexpected character",
    })
    void aMistakeIsOneLineNamingTheFileAndTheField(String valid, String wrong, String expected) throws Exception {
        assertRefused(ROADS.replace(valid, wrong), expected);
    }

    @Test
    void whatIsNotADatasetObjectIsRefused() throws Exception {
        assertRefused("[1, 2]", "must hold a JSON object with the fields name, classes");
        assertRefused("", "is empty");
        assertRefused("  \n", "is empty");
    }

    @Test
    void theFieldsOnlyAPresetHasAreIgnored() throws Exception {
        Path file = Files.writeString(dir.resolve("roads.json"), ROADS.replace("\"zoom\": 4",
                "\"zoom\": 4, \"modelName\": \"dilation8_roads\", \"inputHeight\": 900, \"inputWidth\": 900, "
                        + "\"prototxt\": {\"resource\": \"x\"}, \"weights\": {}"));
        assertThat(DatasetFile.read(file).dataset().zoom()).isEqualTo(4);
    }

    @Test
    void aFileOverOneMegabyteIsRefusedUnread() throws Exception {
        Path file = dir.resolve("huge.json");
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(DatasetFile.MAX_BYTES + 1);
        }
        assertThatThrownBy(() -> DatasetFile.read(file)).isInstanceOf(InvalidInputException.class)
                .hasMessage("Dataset file " + file + " is 1048577 bytes, more than the 1048576 bytes a dataset "
                        + "description may take; give the JSON with the fields name, classes, palette, meanBgr, "
                        + "labelMargin, zoom.");
    }

    @Test
    void aMissingFileOrADirectoryIsNamed() {
        Path missing = dir.resolve("missing.json");
        assertThatThrownBy(() -> DatasetFile.read(missing)).isInstanceOf(InvalidInputException.class)
                .hasMessage("Dataset file " + missing + " does not exist.");
        assertThatThrownBy(() -> DatasetFile.read(dir)).isInstanceOf(InvalidInputException.class)
                .hasMessage("Dataset file " + dir + " is a directory; give the JSON file.");
    }

    @Test
    void aPresetFileGetsTheSameChecksOfItsDatasetFields() throws IOException {
        String valid;
        try (var in = ModelRegistry.class.getResourceAsStream("presets/camvid.json")) {
            valid = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        UnaryOperator<String> zeroZoom = json -> json.replace("\"zoom\": 8", "\"zoom\": 0");
        Path json = Files.writeString(dir.resolve("camvid.json"), zeroZoom.apply(valid));
        assertThatThrownBy(() -> ModelRegistry.read(json.toUri().toURL())).isInstanceOf(IOException.class)
                .hasMessageContaining("Preset file").hasMessageContaining("camvid.json")
                .hasMessageContaining("field 'zoom' must be an integer >= 1, got 0");
    }

    private void assertRefused(String json, String expected) throws IOException {
        Path file = Files.writeString(dir.resolve("dataset.json"), json);
        assertThatThrownBy(() -> DatasetFile.read(file)).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("Dataset file " + file)
                .hasMessageContaining(expected)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
