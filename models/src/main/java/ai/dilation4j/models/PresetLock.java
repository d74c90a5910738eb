package ai.dilation4j.models;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * An exclusive lock on a preset's lock file, held while one fetch works on the preset, so that two processes (or two
 * threads) never write the same cache entry. The file is deleted while still locked when the fetch ends; a waiter that
 * then gets the lock of the deleted file notices that the path is gone or is another file, and starts over.
 */
final class PresetLock implements AutoCloseable {

    private static final long SAME_PROCESS_POLL_MS = 50;

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private PresetLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Blocks until the lock is held; {@code waiting} runs once if another fetch holds it. */
    static PresetLock acquire(Path file, Runnable waiting) throws IOException, InterruptedException {
        boolean told = false;
        while (true) {
            Files.createDirectories(file.getParent());
            FileChannel channel;
            Object opened;
            try {
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            } catch (NoSuchFileException directoryJustRemoved) {
                continue;
            }
            try {
                // Java does not tell which file an open channel is; the path's file right after opening is it, unless
                // within these microseconds one fetch ended and a third one started.
                opened = fileKey(file);
            } catch (NoSuchFileException deletedMeanwhile) {
                channel.close();
                continue;
            }
            FileLock lock = null;
            try {
                lock = channel.tryLock();
                if (lock == null && !told) {
                    waiting.run();
                    told = true;
                }
                if (lock == null) {
                    lock = channel.lock();  // another process: the OS queues us
                }
            } catch (OverlappingFileLockException sameProcess) {
                // FileChannel locks belong to the whole JVM: another thread holds it; poll.
                if (!told) {
                    waiting.run();
                    told = true;
                }
                channel.close();
                Thread.sleep(SAME_PROCESS_POLL_MS);
                continue;
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            if (isStill(file, opened)) {
                return new PresetLock(file, channel, lock);
            }
            lock.release();
            channel.close();
        }
    }

    /** Whether {@code path} is still the file that was locked (not deleted, nor replaced, by the fetch before). */
    private static boolean isStill(Path path, Object lockedKey) throws IOException {
        try {
            return Objects.equals(fileKey(path), lockedKey);
        } catch (NoSuchFileException gone) {
            return false;
        }
    }

    private static Object fileKey(Path path) throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    }

    @Override
    public void close() throws IOException {
        try {
            Files.deleteIfExists(file);
        } finally {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }
}
