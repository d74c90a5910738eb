package ai.dilation4j.runtime.device;

import java.util.OptionalInt;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Limits the threads the native code called from one Java thread may use, for as long as a {@link Scope} is open on
 * it: what {@code SegmenterOptions.nativeThreads} applies around each forward pass, so that several forward passes
 * at once (e.g. Spark tasks sharing one executor) use no more cores than they were given.
 *
 * <p>What it limits, all settings of the calling thread only:
 * <ul>
 *   <li>OpenMP's team size ({@code omp_set_num_threads}; libgomp keeps it per thread). libnd4j M2.1's parallel loops
 *       ({@code samediff::Threads}) open their regions without a {@code num_threads} clause, so they take this
 *       size (they split the work into ND4J's thread count of chunks, which the team shares out), as does the
 *       oneDNN inside libnd4j;</li>
 *   <li>our own oneDNN primitives (bytedeco's oneDNN runs on the same libgomp): {@code OneDnn.useAllowedThreadCount}
 *       gives them the limit, and they are built for the thread count they run with;</li>
 *   <li>our GEMMs, which run in oneDNN's {@code sgemm} while a limit applies (ND4J's {@code gemm} would run on
 *       OpenBLAS in libnd4j builds without oneDNN), and our Java copies, which do not use the common fork-join pool
 *       when the limit is below its size.</li>
 * </ul>
 * Not limited: pools of the whole process, each with one thread count: OpenBLAS's pthreads pool (ND4J's matrix
 * products in libnd4j builds without oneDNN, e.g. in DL4J's own layers) and OpenCV's; and work other threads do.
 *
 * <p>The state is the calling thread's only: no process-wide setting changes, and closing a scope restores what the
 * thread had before (OpenMP's team size included), so a thread reused later (a Spark task thread) finds its old
 * settings.
 */
public final class NativeThreads {

    private static final ThreadLocal<Scope> CURRENT = new ThreadLocal<>();

    private NativeThreads() {
    }

    /**
     * Opens a scope in which native code called from this thread uses at most {@code threads} threads (or the limit
     * of an enclosing scope, if lower). Close it on the same thread, e.g. with try-with-resources.
     */
    public static Scope limit(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("native threads must be >= 1, got " + threads);
        }
        Scope outer = CURRENT.get();
        int limit = outer == null ? threads : Math.min(threads, outer.threads);
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        Scope scope = new Scope(limit, outer, ops.ompGetMaxThreads(), Thread.currentThread());
        ops.setOmpNumThreads(limit);
        CURRENT.set(scope);
        return scope;
    }

    /** The limit of the scope open on this thread, or empty when none is. */
    public static OptionalInt current() {
        Scope scope = CURRENT.get();
        return scope == null ? OptionalInt.empty() : OptionalInt.of(scope.threads);
    }

    /**
     * The threads native code called from this thread may use: the open scope's limit, else ND4J's thread count (the
     * cores or OMP_NUM_THREADS; M2.1's libnd4j ignores {@code Environment.setMaxThreads}).
     */
    public static int allowed() {
        Scope scope = CURRENT.get();
        return scope != null ? scope.threads : Nd4j.getEnvironment().maxThreads();
    }

    /**
     * Whether Java work of this thread may be spread over the common fork-join pool (a parallel stream): only when no
     * limit applies or the limit is at least the pool's threads plus the calling one.
     */
    public static boolean mayUseCommonPool() {
        Scope scope = CURRENT.get();
        return scope == null || scope.threads > ForkJoinPool.getCommonPoolParallelism();
    }

    /** {@code work} as a parallel stream where {@link #mayUseCommonPool()}, else as it is (sequential). */
    public static IntStream parallelIfAllowed(IntStream work) {
        return mayUseCommonPool() ? work.parallel() : work;
    }

    /** An open limit; {@link #close()} restores the thread's previous limit and OpenMP team size. */
    public static final class Scope implements AutoCloseable {
        private final int threads;
        private final Scope outer;
        private final int previousOpenMpThreads;
        private final Thread owner;
        private boolean closed;

        private Scope(int threads, Scope outer, int previousOpenMpThreads, Thread owner) {
            this.threads = threads;
            this.outer = outer;
            this.previousOpenMpThreads = previousOpenMpThreads;
            this.owner = owner;
        }

        /** The threads native code may use in this scope. */
        public int threads() {
            return threads;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            if (Thread.currentThread() != owner) {
                throw new IllegalStateException("A native thread limit must be closed on the thread that opened it ("
                        + owner.getName() + "), not on " + Thread.currentThread().getName());
            }
            if (CURRENT.get() != this) {
                throw new IllegalStateException("Native thread limits must be closed innermost first");
            }
            closed = true;
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(previousOpenMpThreads);
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }
}
