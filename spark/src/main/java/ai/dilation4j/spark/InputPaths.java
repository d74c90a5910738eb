package ai.dilation4j.spark;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import ai.dilation4j.runtime.io.FileNames;

/**
 * What {@code --input} means: a file, a directory (searched recursively) or a Hadoop glob, and the directory the
 * images' output paths are taken relative to: the input directory itself, or for a glob its last directory before
 * the first glob character ({@code hdfs:///data/leftImg8bit/val/}{@code *}{@code /*.png} → {@code .../val}). An image
 * at {@code <base>/a/b/photo.jpg} is written as {@code <output>/a/b/photo_labels.png}, so the output tree mirrors the
 * input tree and two directories' {@code photo.jpg} cannot collide.
 */
final class InputPaths {

    /** The file names the {@code segment} command takes as images. */
    static final Set<String> IMAGE_EXTENSIONS = ai.dilation4j.runtime.image.ImageDecoder.FILE_EXTENSIONS;

    private InputPaths() {
    }

    /** A {@code pathGlobFilter} that keeps image files by extension, in lower and upper case. */
    static String imageFilter() {
        Set<String> extensions = new TreeSet<>();
        for (String extension : IMAGE_EXTENSIONS) {
            extensions.add(extension);
            extensions.add(extension.toUpperCase(Locale.ROOT));
        }
        return "*.{" + String.join(",", extensions) + "}";
    }

    static boolean isGlob(String input) {
        for (char c : input.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == '{') {
                return true;
            }
        }
        return false;
    }

    /**
     * The directory output paths are relative to, as a path ending with '/': for a glob the last directory before its
     * first glob character, for a file its parent, for a directory itself.
     *
     * @throws java.io.FileNotFoundException if a path without glob characters does not exist
     */
    static String base(org.apache.hadoop.fs.Path input, org.apache.hadoop.fs.FileSystem fs) throws java.io.IOException {
        org.apache.hadoop.fs.Path dir = fs.makeQualified(input);
        if (isGlob(dir.toUri().getPath())) {
            while (dir.getParent() != null && isGlob(dir.toUri().getPath())) {
                dir = dir.getParent();
            }
        } else if (fs.getFileStatus(dir).isFile()) {
            dir = dir.getParent();
        }
        String path = dir.toUri().getPath();
        return path.endsWith("/") ? path : path + "/";
    }

    /**
     * The output name of an image (its path below the base, without the extension, to which each output's suffix is
     * appended). {@code keepExtension}: the image shares its stem with another image in its directory, so its whole
     * file name is used ({@code photo.png_labels.png}), as the {@code segment} command does.
     */
    static String outputName(String imagePath, String base, boolean keepExtension) {
        String relative = relative(imagePath, base);
        if (keepExtension) {
            return relative;
        }
        int nameStart = relative.lastIndexOf('/') + 1;
        return relative.substring(0, nameStart) + FileNames.stem(relative.substring(nameStart));
    }

    /** The image's path below {@code base}; its file name alone when it is not below it. */
    static String relative(String imagePath, String base) {
        String path = pathOf(imagePath);
        if (path.startsWith(base)) {
            return path.substring(base.length());
        }
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The directory and stem an image's outputs are named by: images that share it need their whole names. */
    static String stemKey(String imagePath, String base) {
        return outputName(imagePath, base, false);
    }

    /** The decoded path part of a Hadoop path string ({@code file:/a/b c.png} → {@code /a/b c.png}). */
    static String pathOf(String hadoopPath) {
        return new org.apache.hadoop.fs.Path(hadoopPath).toUri().getPath();
    }
}
