package ai.dilation4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The range check of every numeric option, with one wording: {@code --threads must be between 1 and 64 (got 0)},
 * {@code --max-tiles must be at least 1 (got 0)}. A value out of range is a usage error (exit 2, one line and a
 * pointer to {@code --help}, see {@link ErrorReporter}), found before anything loads.
 */
final class OptionRanges {

    private OptionRanges() {
    }

    static void requireBetween(CommandLine command, String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw outOfRange(command, option, "between " + min + " and " + max, String.valueOf(value));
        }
    }

    static void requireAtLeast(CommandLine command, String option, long value, long min) {
        if (value < min) {
            throw outOfRange(command, option, "at least " + min, String.valueOf(value));
        }
    }

    /** For fractional options; NaN is out of every range. */
    static void requireAtLeast(CommandLine command, String option, double value, double min) {
        if (!(value >= min)) {
            throw outOfRange(command, option, "at least " + number(min), number(value));
        }
    }

    /** For fractional options that must exceed 0 (a rate): NaN and infinity are out of range too. */
    static void requirePositive(CommandLine command, String option, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw outOfRange(command, option, "greater than 0", number(value));
        }
    }

    private static ParameterException outOfRange(CommandLine command, String option, String range, String given) {
        return new ParameterException(command, option + " must be " + range + " (got " + given + ")");
    }

    /** 2 rather than 2.0, so whole numbers read alike in both overloads. */
    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value) : String.valueOf(value);
    }
}
