package ai.dilation4j.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

/** Every limit of the service is checked when the configuration is built, with a message naming it. */
class ServiceConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        ServiceConfig config = ServiceConfig.defaults();
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.threads()).isEqualTo(1);
        assertThat(config.queue()).isEqualTo(4);
        assertThat(config.maxBodyBytes()).isEqualTo(16L << 20);
        assertThat(config.maxBufferedBodyBytes()).isEqualTo(256L << 20);
        assertThat(config.maxConnections()).isEqualTo(256);
        assertThat(config.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.bodyTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void valuesOutsideTheirRangeAreRefusedByName() {
        assertRefused(b -> b.threads(0), "threads must be between 1 and 64 (got 0)");
        assertRefused(b -> b.threads(65), "threads must be between 1 and 64 (got 65)");
        assertRefused(b -> b.queue(-1), "queue must be between 0 and 1024 (got -1)");
        assertRefused(b -> b.port(70_000), "port must be between 0 and 65535 (got 70000)");
        assertRefused(b -> b.maxBodyBytes(0), "maxBodyBytes must be between 1 and");
        assertRefused(b -> b.maxBodyBytes(4L << 30), "maxBodyBytes must be between 1 and");
        assertRefused(b -> b.maxBufferedBodyBytes(0), "maxBufferedBodyBytes must be between 1 and");
        assertRefused(b -> b.maxBufferedBodyBytes(2L << 40), "maxBufferedBodyBytes must be between 1 and");
        assertRefused(b -> b.maxConnections(0), "maxConnections must be between 1 and");
        assertRefused(b -> b.headerTimeout(Duration.ZERO), "headerTimeout must be between 1 ms and 3600 s");
        assertRefused(b -> b.bodyTimeout(Duration.ofSeconds(-1)), "bodyTimeout must be between");
        assertRefused(b -> b.idleTimeout(Duration.ofHours(2)), "idleTimeout must be between");
        assertThatThrownBy(() -> ServiceConfig.builder().host(null).build()).isInstanceOf(NullPointerException.class);
    }

    @Test
    void theBodyBudgetMustHoldOneWholeBody() {
        assertRefused(b -> b.maxBodyBytes(2 << 20).maxBufferedBodyBytes((2 << 20) - 1),
                "maxBufferedBodyBytes (2097151) must be at least maxBodyBytes (2097152)");
        assertRefused(b -> b.maxBodyBytes(512L << 20), "maxBufferedBodyBytes (268435456) must be at least "
                + "maxBodyBytes (536870912)");
        ServiceConfig exact = ServiceConfig.builder().maxBodyBytes(2 << 20).maxBufferedBodyBytes(2 << 20).build();
        assertThat(exact.maxBufferedBodyBytes()).isEqualTo(exact.maxBodyBytes());
    }

    @Test
    void theBoundsThemselvesAreAccepted() {
        ServiceConfig config = ServiceConfig.builder().port(0).threads(ServiceConfig.MAX_THREADS).queue(0)
                .maxBodyBytes(ServiceConfig.MAX_BODY_BYTES).maxBufferedBodyBytes(ServiceConfig.MAX_BUFFERED_BODY_BYTES)
                .maxConnections(1).headerTimeout(Duration.ofMillis(1)).idleTimeout(ServiceConfig.MAX_TIMEOUT).build();
        assertThat(config.threads()).isEqualTo(64);
        assertThat(config.queue()).isZero();
        assertThat(config.maxBufferedBodyBytes()).isEqualTo(1L << 40);
    }

    private static void assertRefused(UnaryOperator<ServiceConfig.Builder> change, String message) {
        assertThatThrownBy(() -> change.apply(ServiceConfig.builder()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }
}
