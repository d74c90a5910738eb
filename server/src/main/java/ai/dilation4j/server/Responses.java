package ai.dilation4j.server;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/** Complete responses (JSON, PNG, text, errors) with their length and connection headers set. */
final class Responses {

    /** Thread-safe once configured; configured here only. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private Responses() {
    }

    static FullHttpResponse json(HttpVersion version, HttpResponseStatus status, Object body, boolean keepAlive) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            // Our bodies are maps of strings and numbers; failing to write one is a bug.
            throw new IllegalStateException("Cannot write a response as JSON", e);
        }
        return bytes(version, status, "application/json", bytes, keepAlive);
    }

    static FullHttpResponse error(HttpVersion version, HttpResponseStatus status, String message, boolean keepAlive) {
        return json(version, status, Map.of("error", message), keepAlive);
    }

    static FullHttpResponse png(HttpVersion version, byte[] png, boolean keepAlive) {
        return bytes(version, HttpResponseStatus.OK, "image/png", png, keepAlive);
    }

    /**
     * 503 with {@code Retry-After}: a refusal for load, not for the request itself.
     * The client should retry later.
     */
    static FullHttpResponse busy(HttpVersion version, String message, boolean keepAlive) {
        FullHttpResponse response = error(version, HttpResponseStatus.SERVICE_UNAVAILABLE, message, keepAlive);
        response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        return response;
    }

    static FullHttpResponse bytes(HttpVersion version, HttpResponseStatus status, String type, byte[] body,
                                          boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(version, status, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        HttpUtil.setContentLength(response, body.length);
        HttpUtil.setKeepAlive(response, keepAlive);
        return response;
    }
}
