package ai.dilation4j.spark;

import java.io.IOException;
import java.io.InputStream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import ai.dilation4j.runtime.image.ImageTooLargeException;

/** Reads an input file through Hadoop within a byte limit, so a huge file costs a message, not memory. */
final class ImageFiles {

    private ImageFiles() {
    }

    /**
     * @param what   "Image" or "Label image", for the message
     * @param length the size the listing gave
     * @throws ImageTooLargeException if the file has more than {@code limit} bytes (checked again while reading)
     */
    static byte[] read(Configuration conf, String what, String path, long length, long limit)
            throws IOException, ImageTooLargeException {
        if (length > limit) {
            throw tooLarge(what, path, length, limit);
        }
        Path file = new Path(path);
        try (InputStream in = file.getFileSystem(conf).open(file)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (bytes.length > limit) {
                throw tooLarge(what, path, bytes.length, limit);
            }
            return bytes;
        }
    }

    private static ImageTooLargeException tooLarge(String what, String path, long length, long limit) {
        return new ImageTooLargeException(what + " " + path + " has " + length + " bytes, more than the limit of "
                + limit + " (--max-bytes).");
    }
}
