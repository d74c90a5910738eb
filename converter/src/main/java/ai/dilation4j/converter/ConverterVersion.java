package ai.dilation4j.converter;

/** The dilation4j version recorded in the model files the converters write. */
public final class ConverterVersion {

    /** The jar's implementation version, or {@code "dev"} when run from classes (tests, the IDE). */
    public static final String VERSION = versionOf(ConverterVersion.class);

    private ConverterVersion() {
    }

    private static String versionOf(Class<?> type) {
        String version = type.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
