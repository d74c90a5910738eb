package ai.dilation4j.runtime.io;

import java.nio.file.Path;

/** A file name's stem and extension, split at the last dot; a leading dot (".bashrc") starts no extension. */
public final class FileNames {

    private FileNames() {
    }

    /** The file name without its extension: {@code dog.jpg} → {@code dog}, {@code a.b.png} → {@code a.b}. */
    public static String stem(Path file) {
        return stem(file.getFileName().toString());
    }

    public static String stem(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    /** The extension without its dot, as written ({@code JPG} stays upper case), or "" when there is none. */
    public static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(dot + 1) : "";
    }
}
