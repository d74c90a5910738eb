package ai.dilation4j.models.download;

/** Receives progress of a transfer. */
@FunctionalInterface
public interface DownloadProgress {

    DownloadProgress NONE = (source, done, total, bytesPerSecond) -> { };

    /** @param total the announced size in bytes, or -1 when not known */
    void progress(Source source, long done, long total, double bytesPerSecond);
}
