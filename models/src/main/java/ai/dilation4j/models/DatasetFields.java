package ai.dilation4j.models;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.InvalidInputException;

/**
 * Reads the dataset fields of a JSON object, shared by the preset files and the dataset files of their own:
 * {@code name}, {@code classes}, {@code palette} (one {@code [R, G, B]} of 0..255 per class), {@code meanBgr}
 * (3 numbers), {@code labelMargin} (&gt;= 0) and {@code zoom} (&gt;= 1). Each problem is one line naming the field.
 */
final class DatasetFields {

    static final List<String> NAMES = List.of("name", "classes", "palette", "meanBgr", "labelMargin", "zoom");

    private static final int MAX_NAME_LENGTH = 100;
    private static final int MAX_SHOWN_VALUE = 60;

    private DatasetFields() {
    }

    /**
     * The dataset the object describes; other fields are left to the caller.
     *
     * @param where what to name in errors, e.g. {@code "Dataset file /data/roads.json"}
     * @throws InvalidInputException naming {@code where} and the field that is missing or wrong
     */
    static DatasetSpec read(JsonNode root, String where) throws InvalidInputException {
        if (!root.isObject()) {
            throw new InvalidInputException(where + " must hold a JSON object with the fields " + String.join(", ",
                    NAMES) + "; it holds " + shown(root) + ".");
        }
        String name = text(root, "name", where);
        if (name.length() > MAX_NAME_LENGTH) {
            throw new InvalidInputException(where + ": field 'name' is " + name.length() + " characters long, more "
                    + "than " + MAX_NAME_LENGTH + ".");
        }
        List<String> classes = new ArrayList<>();
        JsonNode classNodes = array(root, "classes", where);
        for (JsonNode entry : classNodes) {
            if (!entry.isTextual() || !printable(entry.textValue())) {
                throw new InvalidInputException(where + ": field 'classes' entry " + (classes.size() + 1) + " must "
                        + "be a class name (a non-empty string), got " + shown(entry) + ".");
            }
            classes.add(entry.textValue());
        }
        if (classes.isEmpty()) {
            throw new InvalidInputException(where + ": field 'classes' is empty; list one class name per output "
                    + "channel of the network.");
        }
        JsonNode paletteNodes = array(root, "palette", where);
        if (paletteNodes.size() != classes.size()) {
            throw new InvalidInputException(where + ": field 'palette' has " + paletteNodes.size() + " colours but "
                    + "field 'classes' has " + classes.size() + " names; give one [R, G, B] per class.");
        }
        List<int[]> palette = new ArrayList<>();
        for (JsonNode entry : paletteNodes) {
            if (!entry.isArray() || entry.size() != 3 || !allMatch(entry, v -> v.isIntegralNumber() && v.canConvertToInt()
                    && v.intValue() >= 0 && v.intValue() <= 255)) {
                throw new InvalidInputException(where + ": field 'palette' colour " + (palette.size() + 1)
                        + " (class '" + classes.get(palette.size()) + "') must be [R, G, B] with integers 0..255, got "
                        + shown(entry) + ".");
            }
            palette.add(new int[] {entry.get(0).intValue(), entry.get(1).intValue(), entry.get(2).intValue()});
        }
        JsonNode mean = array(root, "meanBgr", where);
        if (mean.size() != 3 || !allMatch(mean, v -> v.isNumber() && Double.isFinite(v.doubleValue()))) {
            throw new InvalidInputException(where + ": field 'meanBgr' must be 3 numbers (the B, G, R means of the "
                    + "training images), got " + shown(mean) + ".");
        }
        double[] meanBgr = {mean.get(0).doubleValue(), mean.get(1).doubleValue(), mean.get(2).doubleValue()};
        int labelMargin = integer(root, "labelMargin", 0, where);
        int zoom = integer(root, "zoom", 1, where);
        return new DatasetSpec(name, classes, palette, meanBgr, labelMargin, zoom);
    }

    private static JsonNode field(JsonNode root, String field, String where) throws InvalidInputException {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            throw new InvalidInputException(where + ": field '" + field + "' is missing; a dataset needs "
                    + String.join(", ", NAMES) + ".");
        }
        return value;
    }

    private static String text(JsonNode root, String field, String where) throws InvalidInputException {
        JsonNode value = field(root, field, where);
        if (!value.isTextual() || !printable(value.textValue())) {
            throw new InvalidInputException(where + ": field '" + field + "' must be a non-empty string, got "
                    + shown(value) + ".");
        }
        return value.textValue();
    }

    private static JsonNode array(JsonNode root, String field, String where) throws InvalidInputException {
        JsonNode value = field(root, field, where);
        if (!value.isArray()) {
            throw new InvalidInputException(where + ": field '" + field + "' must be a JSON array, got "
                    + shown(value) + ".");
        }
        return value;
    }

    private static int integer(JsonNode root, String field, int min, String where) throws InvalidInputException {
        JsonNode value = field(root, field, where);
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < min) {
            throw new InvalidInputException(where + ": field '" + field + "' must be an integer >= " + min + ", got "
                    + shown(value) + ".");
        }
        return value.intValue();
    }

    private static boolean allMatch(JsonNode array, java.util.function.Predicate<JsonNode> test) {
        for (JsonNode value : array) {
            if (!test.test(value)) {
                return false;
            }
        }
        return true;
    }

    /** Not blank and without control characters, which would break the one-line outputs that show it. */
    private static boolean printable(String text) {
        return !text.isBlank() && text.chars().noneMatch(Character::isISOControl);
    }

    /** The value as JSON, cut short: a message stays one short line whatever the file holds. */
    private static String shown(JsonNode value) {
        String json = value.toString();
        return json.length() <= MAX_SHOWN_VALUE ? json : json.substring(0, MAX_SHOWN_VALUE) + "...";
    }
}
