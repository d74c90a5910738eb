package ai.dilation4j.runtime.image;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.util.Arrays;

/**
 * Random access to the bytes of an encoded image, in a file or an array, so that a header can be read at any
 * offset (a JPEG's frame header may follow megabytes of metadata) without reading the whole image.
 */
interface EncodedBytes {

    long size();

    /** Up to {@code length} bytes from {@code offset}; fewer at the end of the data, none past it. */
    byte[] read(long offset, int length) throws IOException;

    static EncodedBytes of(byte[] data) {
        return new EncodedBytes() {
            @Override
            public long size() {
                return data.length;
            }

            @Override
            public byte[] read(long offset, int length) {
                if (offset >= data.length) {
                    return new byte[0];
                }
                return Arrays.copyOfRange(data, (int) offset, (int) Math.min(data.length, offset + length));
            }
        };
    }

    /**
     * A view of an open file; the caller closes it. A {@link RandomAccessFile}, not a channel: a channel is closed
     * by an interrupt of the reading thread, and cancelling a segmentation must not turn into a read error.
     */
    static EncodedBytes of(RandomAccessFile file) throws IOException {
        long size = file.length();
        return new EncodedBytes() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public byte[] read(long offset, int length) throws IOException {
                if (offset >= size) {
                    return new byte[0];
                }
                byte[] bytes = new byte[(int) Math.min(length, size - offset)];
                file.seek(offset);
                file.readFully(bytes);
                return bytes;
            }
        };
    }
}
