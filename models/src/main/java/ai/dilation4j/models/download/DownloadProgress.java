package ai.dilation4j.models.download;

/**
 * Told how a transfer advances, on the thread that called {@link Downloader#fetch}, at most about five times a
 * second and once more when a transfer ends.
 */
@FunctionalInterface
public interface DownloadProgress {

    /**
     * @param source         where the bytes come from
     * @param done           bytes of the file held so far, including those kept from an earlier, cut transfer
     * @param total          the file's length, or -1 when the server does not announce it
     * @param bytesPerSecond the rate of the current transfer since it began
     */
    void progress(Source source, long done, long total, double bytesPerSecond);
}
