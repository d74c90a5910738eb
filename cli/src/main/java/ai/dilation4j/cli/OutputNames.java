package ai.dilation4j.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ai.dilation4j.runtime.io.FileNames;

/**
 * The name each input's results are written under, chosen for the whole run before anything is written, so
 * that no result overwrites another's: an image's file stem ({@code photo.png} → {@code photo}), or its whole
 * file name when another input has the same stem ({@code photo.png} and {@code photo.jpg} → {@code photo.png},
 * {@code photo.jpg}). Inputs that would still share a name (the same file name in two directories), or a result
 * that would land on an input file, are refused.
 */
final class OutputNames {

    /** Why no set of names could be chosen; the message names both files. */
    static final class ClashException extends Exception {
        ClashException(String message) {
            super(message);
        }
    }

    private OutputNames() {
    }

    /**
     * @param inputs   the images, in order
     * @param suffixes what is appended to a name per output file (e.g. {@code _labels.png})
     * @param outDir   where the results go
     */
    static Map<Path, String> stems(List<Path> inputs, List<String> suffixes, Path outDir) throws ClashException {
        Map<String, Integer> stemCounts = new HashMap<>();
        for (Path input : inputs) {
            stemCounts.merge(FileNames.stem(input), 1, Integer::sum);
        }
        Map<Path, String> names = new LinkedHashMap<>();
        Map<String, Path> owners = new HashMap<>();
        for (Path input : inputs) {
            String stem = FileNames.stem(input);
            String name = stemCounts.get(stem) > 1 ? input.getFileName().toString() : stem;
            Path previous = owners.putIfAbsent(name, input);
            if (previous != null && !previous.equals(input)) {
                throw new ClashException("Inputs " + previous + " and " + input + " would both write " + name
                        + "_* in " + outDir + "; segment them into different --out directories.");
            }
            names.put(input, name);
        }
        Map<Path, Path> inputFiles = new HashMap<>();
        for (Path input : inputs) {
            inputFiles.put(input.toAbsolutePath().normalize(), input);
        }
        for (Map.Entry<Path, String> entry : names.entrySet()) {
            for (String suffix : suffixes) {
                Path output = outDir.resolve(entry.getValue() + suffix).toAbsolutePath().normalize();
                Path input = inputFiles.get(output);
                if (input != null) {
                    throw new ClashException("The results of " + entry.getKey() + " would overwrite the input "
                            + input + "; choose another --out directory.");
                }
            }
        }
        return names;
    }
}
