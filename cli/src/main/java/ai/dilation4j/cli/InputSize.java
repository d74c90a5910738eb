package ai.dilation4j.cli;

import java.util.Locale;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** The {@code --size HxW} value of the commands that run or write a network at another input size. */
final class InputSize {

    private InputSize() {
    }

    /** {height, width}, null when not given; a usage error when it is not HxW of positive sides. */
    static long[] parse(CommandLine command, String value) {
        if (value == null) {
            return null;
        }
        String[] parts = value.toLowerCase(Locale.ROOT).split("x");
        long[] heightWidth = new long[2];
        try {
            if (parts.length != 2) {
                throw new NumberFormatException();
            }
            heightWidth[0] = Long.parseLong(parts[0].trim());
            heightWidth[1] = Long.parseLong(parts[1].trim());
        } catch (NumberFormatException e) {
            throw new ParameterException(command, "--size must look like 900x900 (height x width) (got '" + value
                    + "')");
        }
        OptionRanges.requireAtLeast(command, "--size height", heightWidth[0], 1);
        OptionRanges.requireAtLeast(command, "--size width", heightWidth[1], 1);
        return heightWidth;
    }
}
