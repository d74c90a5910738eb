package ai.dilation4j.models.download;

/** Why one source failed. */
public record Failure(Source source, String error) {
}
