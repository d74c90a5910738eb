package ai.dilation4j.runtime.model;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.dilation4j.runtime.nn.caffe.CaffeCropVertex;
import ai.dilation4j.runtime.nn.caffe.CaffePoolingVertex;
import ai.dilation4j.runtime.nn.conv.GemmConvolutionLayer;

/**
 * The layer and vertex classes that model files name in {@code configuration.json} under an earlier package. DL4J
 * records each layer's and vertex's full class name as its {@code "@class"} value; files converted before a class
 * moved (and kept, e.g. in the model zoo's cache) name it where it was, which Jackson can no longer find.
 */
final class MovedClassNames {

    /** Old name to current name; a class that moves again gets its new name here, old entries updated. */
    private static final Map<String, String> CURRENT_NAMES = Map.of(
            "ai.dilation4j.runtime.graph.GemmConvolutionLayer", GemmConvolutionLayer.class.getName(),
            "ai.dilation4j.runtime.graph.CaffePoolingVertex", CaffePoolingVertex.class.getName(),
            "ai.dilation4j.runtime.graph.CaffeCropVertex", CaffeCropVertex.class.getName());

    /**
     * A {@code "@class"} key and its whole string value. A quote inside a JSON string is escaped, so this cannot
     * match inside a vertex name or any other value.
     */
    private static final Pattern CLASS_VALUE = Pattern.compile("(\"@class\"\\s*:\\s*\")([^\"\\\\]*)(\")");

    private MovedClassNames() {
    }

    /** The configuration with every {@code "@class"} value that is exactly an old name replaced by the current one. */
    static String current(String configurationJson) {
        if (CURRENT_NAMES.keySet().stream().noneMatch(configurationJson::contains)) {
            return configurationJson; // files written since: nothing to look for
        }
        Matcher matcher = CLASS_VALUE.matcher(configurationJson);
        StringBuilder result = new StringBuilder(configurationJson.length());
        while (matcher.find()) {
            String name = CURRENT_NAMES.getOrDefault(matcher.group(2), matcher.group(2));
            matcher.appendReplacement(result, Matcher.quoteReplacement(matcher.group(1) + name + matcher.group(3)));
        }
        matcher.appendTail(result);
        return result.toString();
    }
}
