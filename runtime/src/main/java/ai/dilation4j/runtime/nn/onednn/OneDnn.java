package ai.dilation4j.runtime.nn.onednn;

import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.primitive_attr;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ai.dilation4j.runtime.device.NativeThreads;

/**
 * oneDNN through bytedeco's Java API ({@code org.bytedeco:dnnl}; the oneDNN inside libnd4jcpu exports no symbols):
 * whether it loads here, the instruction set it runs, its CPU engine, and its thread count.
 *
 * <p>Threads: this oneDNN build runs on GNU OpenMP, and JavaCPP loads one {@code libgomp.so.1} per process whichever
 * library asks first, so its convolutions use the same OpenMP runtime, thread teams and wait policy
 * ({@code OMP_WAIT_POLICY=PASSIVE}, see {@code OpenMpWaitPolicy}) as libnd4j and the oneDNN inside it: the two never
 * run at once on one Java thread, so they do not oversubscribe the cores. OpenMP's team size is a setting of each
 * calling thread; {@link #useAllowedThreadCount()} sets it before every oneDNN call.
 */
public final class OneDnn {

    private static final Logger LOG = LoggerFactory.getLogger(OneDnn.class);

    private OneDnn() {
    }

    /** Loaded on first use, once per process: the CPU engine and instruction set, or why oneDNN did not load. */
    private static final class Library {
        static final engine ENGINE;
        static final int ISA;
        static final String FAILURE;

        static {
            engine cpu = null;
            int isa = 0;
            String failure = null;
            try {
                isa = dnnl.dnnl_get_effective_cpu_isa();
                cpu = new engine(engine.kind.cpu, 0);
                cpu.retainReference(); // lives as long as the process, whatever PointerScope is open now
            } catch (LinkageError | RuntimeException e) {
                failure = e.toString();
                LOG.warn("oneDNN did not load ({}): convolutions run on ND4J only", failure);
            }
            ENGINE = cpu;
            ISA = isa;
            FAILURE = failure;
        }
    }

    /** Whether oneDNN loaded on this platform. */
    public static boolean available() {
        return Library.FAILURE == null;
    }

    public static engine engine() {
        if (!available()) {
            throw new IllegalStateException("oneDNN is not available: " + Library.FAILURE);
        }
        return Library.ENGINE;
    }

    /** Whether oneDNN runs bf16 natively here (AVX512_BF16 or AMX), rather than emulating it 3-4x slower than fp32. */
    public static boolean nativeBf16() {
        return available() && hasBf16(Library.ISA);
    }

    public static boolean hasBf16(int isa) {
        return (isa & dnnl.dnnl_cpu_isa_avx512_core_bf16) == dnnl.dnnl_cpu_isa_avx512_core_bf16;
    }

    /** Why bf16 does not run natively here, e.g. {@code this CPU has no AVX512_BF16 (oneDNN finds avx512_core)}. */
    public static String noBf16Reason() {
        return available() ? "this CPU has no AVX512_BF16 (oneDNN finds " + isaName(Library.ISA) + ")"
                : "oneDNN is not available on this platform (" + Library.FAILURE + ")";
    }

    /** oneDNN's name of an instruction set ({@code dnnl_get_effective_cpu_isa}), as DNNL_MAX_CPU_ISA spells it. */
    public static String isaName(int isa) {
        if (isa == dnnl.dnnl_cpu_isa_avx512_core_amx) {
            return "avx512_core_amx";
        } else if (isa == dnnl.dnnl_cpu_isa_avx512_core_bf16) {
            return "avx512_core_bf16";
        } else if (isa == dnnl.dnnl_cpu_isa_avx512_core_vnni) {
            return "avx512_core_vnni";
        } else if (isa == dnnl.dnnl_cpu_isa_avx512_core) {
            return "avx512_core";
        } else if (isa == dnnl.dnnl_cpu_isa_avx2_vnni) {
            return "avx2_vnni";
        } else if (isa == dnnl.dnnl_cpu_isa_avx2) {
            return "avx2";
        } else if (isa == dnnl.dnnl_cpu_isa_avx) {
            return "avx";
        } else if (isa == dnnl.dnnl_cpu_isa_sse41) {
            return "sse41";
        }
        return "isa 0x" + Integer.toHexString(isa);
    }

    /**
     * Gives the calling thread's OpenMP teams the threads it may use ({@link NativeThreads#allowed()}: the limit of an
     * open {@link NativeThreads} scope, else ND4J's thread count, the cores or OMP_NUM_THREADS) and returns that
     * count: oneDNN sizes its parallel regions from the caller's setting, which ND4J sets only on the thread that
     * loaded it. Called before a primitive is created and before it runs: oneDNN plans a primitive's work split for
     * the thread count of its creation and runs it with that many threads whatever the caller's setting is then, so
     * callers keep a primitive per thread count.
     */
    public static int useAllowedThreadCount() {
        int threads = NativeThreads.allowed();
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        if (threads > 0 && ops.ompGetMaxThreads() != threads) {
            ops.setOmpNumThreads(threads);
        }
        return threads;
    }

    /**
     * Attributes that make a primitive take its working memory from the caller. By default oneDNN keeps it in a
     * per-thread buffer sized when a primitive is created, so a primitive created on one thread and run on another (a
     * {@code Segmenter}'s graphs move between threads) wrote past that thread's buffer: SIGSEGV in oneDNN's im2col and
     * convolutions (SegmenterConcurrencyTest).
     */
    public static primitive_attr withOwnScratchpad() {
        primitive_attr attributes = new primitive_attr();
        attributes.set_scratchpad_mode(dnnl.scratchpad_mode.user);
        return attributes;
    }

    /**
     * Working memory of at least {@code bytes} for a primitive's own layouts, copies or scratchpad, as a float array
     * (never empty: an empty array has no address); DL4J's workspace reuses it from one pass to the next.
     */
    public static INDArray workingMemory(LayerWorkspaceMgr workspaceMgr, long bytes) {
        long floats = Math.max(1, (bytes + Float.BYTES - 1) / Float.BYTES);
        return workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, DataType.FLOAT, new long[] {floats}, 'c');
    }
}
