package ai.dilation4j.runtime.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** A view of an open channel; the caller closes the channel. */
    static EncodedBytes of(SeekableByteChannel channel) throws IOException {
        long size = channel.size();
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
                ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(length, size - offset));
                channel.position(offset);
                while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                    // keep reading until the range is filled or the file ends
                }
                return Arrays.copyOf(buffer.array(), buffer.position());
            }
        };
    }

    static SeekableByteChannel open(Path file) throws IOException {
        return Files.newByteChannel(file);
    }
}
