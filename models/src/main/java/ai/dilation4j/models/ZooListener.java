package ai.dilation4j.models;

import ai.dilation4j.models.download.Source;

/** What a {@link ModelZoo} tells while it fetches: messages for people, and progress of downloads and conversion. */
public interface ZooListener {

    ZooListener NONE = new ZooListener() {
    };

    /** A line worth showing, e.g. what is downloaded, from where and how big. */
    default void message(String text) {
    }

    /** @param total the announced size in bytes, or -1 when not known */
    default void download(Source source, long done, long total, double bytesPerSecond) {
    }

    /** Progress of a conversion step, e.g. reading the weights. */
    default void conversion(String step, long done, long total) {
    }
}
