package ai.dilation4j.runtime.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * An archive entry's content, cut off with {@link TooLargeException} once more than a limit has been read.
 * It counts the bytes actually delivered (inflated), since a zip's recorded sizes are whatever its writer
 * claimed: a few MB of deflated zeros can inflate to gigabytes.
 */
public final class BoundedEntryStream extends FilterInputStream {

    /** The entry holds more than its limit. */
    public static final class TooLargeException extends IOException {
        private final String entry;
        private final long limit;

        TooLargeException(String entry, long limit) {
            super(entry + " holds more than " + limit + " bytes");
            this.entry = entry;
            this.limit = limit;
        }

        public String entry() {
            return entry;
        }

        public long limit() {
            return limit;
        }
    }

    private final String entry;
    private final long limit;
    private long count;

    public BoundedEntryStream(InputStream in, String entry, long limit) {
        super(in);
        this.entry = entry;
        this.limit = limit;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            counted(1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            counted(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        counted(skipped);
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void counted(long n) throws TooLargeException {
        count += n;
        if (count > limit) {
            throw new TooLargeException(entry, limit);
        }
    }
}
