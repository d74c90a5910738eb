package ai.dilation4j.runtime.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/** {@link NativeThreads}: the calling thread's OpenMP team size within a scope, and what closing restores. */
class NativeThreadsTest {

    private final NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();

    @Test
    void scopeSetsTheCallersOpenMpThreadsAndRestoresThem() {
        int own = ops.ompGetMaxThreads();
        try {
            ops.setOmpNumThreads(5);
            try (NativeThreads.Scope outer = NativeThreads.limit(3)) {
                assertThat(ops.ompGetMaxThreads()).isEqualTo(3);
                assertThat(NativeThreads.allowed()).isEqualTo(3);
                try (NativeThreads.Scope inner = NativeThreads.limit(4)) {
                    assertThat(inner.threads()).as("no more than the enclosing scope allows").isEqualTo(3);
                }
                try (NativeThreads.Scope inner = NativeThreads.limit(1)) {
                    assertThat(ops.ompGetMaxThreads()).isEqualTo(1);
                    assertThat(NativeThreads.current()).hasValue(1);
                }
                assertThat(ops.ompGetMaxThreads()).isEqualTo(3);
                assertThat(NativeThreads.current()).hasValue(3);
            }
            assertThat(ops.ompGetMaxThreads()).isEqualTo(5);
            assertThat(NativeThreads.current()).isEmpty();
            assertThat(NativeThreads.allowed()).isEqualTo(Nd4j.getEnvironment().maxThreads());
        } finally {
            ops.setOmpNumThreads(own);
        }
    }

    @Test
    void limitIsTheCallingThreadsOnly() throws Exception {
        try (NativeThreads.Scope scope = NativeThreads.limit(1)) {
            assertThat(CompletableFuture.supplyAsync(NativeThreads::current).get()).isEmpty();
            assertThat(CompletableFuture.supplyAsync(() -> {
                try {
                    scope.close();
                    return "closed";
                } catch (IllegalStateException e) {
                    return e.getMessage();
                }
            }).get()).startsWith("A native thread limit must be closed on the thread that opened it");
        }
        assertThat(NativeThreads.current()).isEmpty();
    }

    @Test
    void refusesFewerThanOneThreadAndClosingOutOfOrder() {
        assertThatThrownBy(() -> NativeThreads.limit(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("native threads must be >= 1, got 0");
        try (NativeThreads.Scope outer = NativeThreads.limit(2)) {
            NativeThreads.Scope inner = NativeThreads.limit(1);
            assertThatThrownBy(outer::close).isInstanceOf(IllegalStateException.class)
                    .hasMessage("Native thread limits must be closed innermost first");
            inner.close();
        }
        assertThat(NativeThreads.current()).isEmpty();
    }
}
