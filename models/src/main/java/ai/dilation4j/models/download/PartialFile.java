package ai.dilation4j.models.download;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import ai.dilation4j.runtime.io.Sha256;

/**
 * The bytes received so far for one target, kept under a name of their own beside it ({@code <target>.partial}) so
 * that a cut transfer can be resumed, by this run or a later one, and an incomplete file never carries the target's
 * name. Holds the running SHA-256 of those bytes and an exclusive lock while a download writes them.
 *
 * <p>Thread-safe: the HTTP client's threads append while the caller's thread reads the length; whoever must keep
 * a late write out (a cancelled transfer) synchronizes on this object.
 */
final class PartialFile implements Closeable {

    /** A local write failed: no source can help, so the download stops. */
    static final class WriteFailure extends IOException {
        private static final long serialVersionUID = 1L;

        WriteFailure(Path path, IOException cause) {
            super("cannot write " + path + ": " + cause.getMessage(), cause);
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final MessageDigest digest = Sha256.newDigest();
    private long length;
    /** Whether {@link #digest} covers the first {@link #length} bytes; false for bytes left by an earlier run. */
    private boolean hashed;

    private PartialFile(Path path, FileChannel channel, FileLock lock) throws IOException {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.length = channel.size();
        this.hashed = length == 0;
    }

    static Path pathFor(Path target) {
        return target.resolveSibling(target.getFileName() + ".partial");
    }

    /**
     * Opens (or creates) the partial file of {@code target}, keeping what an earlier run left in it.
     *
     * @throws IOException when it cannot be opened, or another download holds it
     */
    static PartialFile open(Path target) throws IOException {
        Path path = pathFor(target);
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IOException("another download is writing " + path + "; wait for it to end");
            }
            return new PartialFile(path, channel, lock);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    Path path() {
        return path;
    }

    synchronized long length() {
        return length;
    }

    /**
     * Drops any bytes beyond those counted (a write that failed half-way) and makes the digest cover the bytes kept,
     * reading back those an earlier run left, so that a transfer can resume from {@link #length()}.
     */
    synchronized long prepareResume() throws IOException, InterruptedException {
        try {
            if (channel.size() > length) {
                channel.truncate(length);
            }
            if (!hashed) {
                ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
                for (long position = 0; position < length; ) {
                    if (Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                    buffer.clear().limit((int) Math.min(buffer.capacity(), length - position));
                    int read = channel.read(buffer, position);
                    if (read < 0) {
                        throw new IOException(path + " shrank while it was read");
                    }
                    digest.update(buffer.flip());
                    position += read;
                }
                hashed = true;
            }
            return length;
        } catch (IOException e) {
            throw new WriteFailure(path, e);
        }
    }

    /** Empties the file, for a transfer that starts over. */
    synchronized void restart() throws IOException {
        try {
            channel.truncate(0);
        } catch (IOException e) {
            throw new WriteFailure(path, e);
        }
        length = 0;
        digest.reset();
        hashed = true;
    }

    /** Appends the buffer's remaining bytes. */
    synchronized void append(ByteBuffer buffer) throws IOException {
        ByteBuffer hashView = buffer.duplicate();
        int count = buffer.remaining();
        try {
            long position = length;
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
        } catch (IOException e) {
            throw new WriteFailure(path, e);
        }
        // Counted and hashed only once written in full: a failed write leaves bytes that prepareResume() drops.
        digest.update(hashView);
        length += count;
    }

    /** The SHA-256 of the bytes held, in lowercase hexadecimal. */
    synchronized String sha256() throws IOException, InterruptedException {
        prepareResume();
        try {
            return Sha256.hex((MessageDigest) digest.clone());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("The JVM's SHA-256 cannot be cloned", e);
        }
    }

    /** Makes the bytes durable, closes the file and gives it the target's name in one atomic step. */
    synchronized void moveTo(Path target) throws IOException {
        try {
            channel.force(false);
            close();
            Files.move(path, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new WriteFailure(target, e);
        }
    }

    /** Releases the file, deleting it when it holds nothing worth resuming. */
    @Override
    public synchronized void close() throws IOException {
        if (!channel.isOpen()) {
            return;
        }
        try {
            lock.release();
        } finally {
            channel.close();
        }
        if (length == 0) {
            Files.deleteIfExists(path);
        }
    }
}
