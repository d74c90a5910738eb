package ai.dilation4j.runtime.nn.conv;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.matmul;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

import ai.dilation4j.runtime.device.NativeThreads;
import ai.dilation4j.runtime.nn.onednn.OneDnn;

/**
 * Many products of equally sized matrices, {@code C[b] = A[b] B[b]}, as one oneDNN batched matmul: Winograd's
 * per-tile-element GEMMs. One call instead of one {@code Nd4j.gemm} per element, and oneDNN's brgemm kernels: in fp32
 * 205-215 GFLOP/s where 64 {@code Nd4j.gemm} calls ran at 175-185 (fc6's shapes, [64, 512, 512] x [64, 512, 1156]);
 * with bf16 operands (fp32 sums and results) 400-415 GFLOP/s on AVX512_BF16 ({@code brg:avx512_core_bf16}).
 *
 * <p>The operands are fp32 arrays; in bf16 each is first rounded into a bf16 copy in working memory, the right one
 * once for as many products as it takes part in ({@link Session#right}).
 */
final class OneDnnMatmul {

    /** Primitives kept: a layer sees one shape per chunk and block size (and thread count), a few at most. */
    private static final int PRIMITIVES_KEPT = 8;

    private final Precision precision;
    private final Map<List<Long>, Step> products = lruMap();
    private final Map<List<Long>, Step> roundings = lruMap();
    private final Map<List<Long>, Step> floatProducts = lruMap();
    private stream stream;

    OneDnnMatmul(Precision precision) {
        this.precision = precision;
    }

    /** oneDNN's batched matmul in this precision, or null where oneDNN did not load or bf16 is not native. */
    static OneDnnMatmul ifAvailable(Precision precision) {
        if (!OneDnn.available() || precision.onCpu(OneDnn.nativeBf16()) != precision) {
            return null;
        }
        return new OneDnnMatmul(precision);
    }

    Precision precision() {
        return precision;
    }

    /**
     * Products that share working memory: in bf16 the caller's float arrays that hold the rounded copies of the left
     * and right operands ({@link #bf16CopyFloats} each; reused by every product, so a layer's many products take
     * them once), null in fp32.
     */
    Session session(INDArray leftCopy, INDArray rightCopy, LayerWorkspaceMgr workspaceMgr) {
        if ((precision == Precision.BF16) != (leftCopy != null && rightCopy != null)) {
            throw new IllegalArgumentException("bf16 products need memory for both copies, fp32 ones none");
        }
        return new Session(workspaceMgr, leftCopy, rightCopy);
    }

    /** How many floats hold a bf16 copy of {@code values} values. */
    static long bf16CopyFloats(long values) {
        return (values + 1) / 2;
    }

    /** Products that share working memory; not for concurrent use, as a layer's forward pass is not. */
    final class Session {
        private final LayerWorkspaceMgr workspaceMgr;
        private final INDArray leftCopy;
        private final INDArray rightCopy;
        private INDArray scratchpad;

        private Session(LayerWorkspaceMgr workspaceMgr, INDArray leftCopy, INDArray rightCopy) {
            this.workspaceMgr = workspaceMgr;
            this.leftCopy = leftCopy;
            this.rightCopy = rightCopy;
        }

        /**
         * A right operand for several products, as they read it: the contiguous fp32 array itself, or in bf16 its
         * rounded copy (overwriting the previous one).
         */
        Operand right(INDArray floats) {
            return operand(floats, rightCopy);
        }

        /**
         * {@code result[b] = left[b] right[b]} for {@code b < batch}: left {@code [batch][rows][inner]}, a contiguous
         * fp32 array; right {@code [batch][inner][columns]} from {@link #right}; result {@code [batch][rows][columns]},
         * a contiguous fp32 array (overwritten). All row-major.
         */
        void multiply(INDArray left, Operand right, INDArray result, long batch, long rows, long inner,
                      long columns) {
            Operand leftOperand = operand(left, leftCopy);
            Step product = products.computeIfAbsent(List.of(batch, rows, inner, columns, threads()),
                    shape -> product(batch, rows, inner, columns));
            memory.data_type operands = operandType();
            INDArray scratch = scratchpad(product.scratchpadBytes());
            stream stream = stream(); // made before the scope, which frees what is made inside it
            OneDnn.useAllowedThreadCount();
            try (PointerScope scope = new PointerScope()) {
                IntMemoryMap args = new IntMemoryMap();
                args.put(dnnl.DNNL_ARG_SRC, new memory(matrices(batch, rows, inner, operands), OneDnn.engine(),
                        leftOperand.address()));
                args.put(dnnl.DNNL_ARG_WEIGHTS, new memory(matrices(batch, inner, columns, operands),
                        OneDnn.engine(), right.address()));
                args.put(dnnl.DNNL_ARG_DST, new memory(matrices(batch, rows, columns, memory.data_type.f32),
                        OneDnn.engine(), ContiguousMemory.pointer(result)));
                product.run(stream, args, scratch);
            }
        }

        /**
         * {@code result = left right} in fp32, whatever the precision: Winograd's transforms. left
         * {@code [rows][inner]}; right {@code [inner][columns]}, or with {@code rightTransposed} a
         * {@code [columns][inner]} array used as its transpose; result {@code [rows][columns]}; all contiguous
         * row-major fp32 arrays. oneDNN's brgemm ran fc6's weight transform ([64, 49] x [49, 262144] transposed)
         * in 30 ms where {@code Nd4j.gemm} took 45-60.
         */
        void multiplyFloats(INDArray left, INDArray right, boolean rightTransposed, INDArray result, long rows,
                            long inner, long columns) {
            Step product = floatProducts.computeIfAbsent(
                    List.of(rows, inner, columns, rightTransposed ? 1L : 0L, threads()),
                    shape -> floatProduct(rows, inner, columns, rightTransposed));
            INDArray scratch = scratchpad(product.scratchpadBytes());
            stream stream = stream();
            OneDnn.useAllowedThreadCount();
            try (PointerScope scope = new PointerScope()) {
                IntMemoryMap args = new IntMemoryMap();
                args.put(dnnl.DNNL_ARG_SRC, new memory(floatMatrix(rows, inner, false), OneDnn.engine(),
                        ContiguousMemory.pointer(left)));
                args.put(dnnl.DNNL_ARG_WEIGHTS, new memory(floatMatrix(inner, columns, rightTransposed),
                        OneDnn.engine(), ContiguousMemory.pointer(right)));
                args.put(dnnl.DNNL_ARG_DST, new memory(floatMatrix(rows, columns, false), OneDnn.engine(),
                        ContiguousMemory.pointer(result)));
                product.run(stream, args, scratch);
            }
        }

        private Operand operand(INDArray floats, INDArray copy) {
            if (copy == null) {
                return new Operand(floats, ContiguousMemory.pointer(floats));
            }
            long length = floats.length();
            if (length > copy.length() * 2) {
                throw new IllegalArgumentException(length + " values do not fit a bf16 copy of " + copy.length() * 2);
            }
            Pointer target = ContiguousMemory.pointer(copy);
            Step rounding = roundings.computeIfAbsent(List.of(length, threads()), key -> rounding(length));
            INDArray scratch = scratchpad(rounding.scratchpadBytes());
            stream stream = stream();
            OneDnn.useAllowedThreadCount();
            try (PointerScope scope = new PointerScope()) {
                IntMemoryMap args = new IntMemoryMap();
                args.put(dnnl.DNNL_ARG_FROM, new memory(flat(length, memory.data_type.f32), OneDnn.engine(),
                        ContiguousMemory.pointer(floats)));
                args.put(dnnl.DNNL_ARG_TO, new memory(flat(length, memory.data_type.bf16), OneDnn.engine(), target));
                rounding.run(stream, args, scratch);
            }
            return new Operand(copy, target);
        }

        /** One buffer for every step's scratchpad: they run one after another on one stream. */
        private INDArray scratchpad(long bytes) {
            if (scratchpad == null || scratchpad.length() * Float.BYTES < bytes) {
                scratchpad = OneDnn.workingMemory(workspaceMgr, bytes);
            }
            return scratchpad;
        }
    }

    /** An operand of a product: the array that holds it (kept reachable while it is used) and its address. */
    record Operand(INDArray holder, Pointer address) {
    }

    /**
     * A primitive and the working memory it takes from the caller (oneDNN's own per-thread buffers break when a
     * primitive runs on another thread than the one that created it: {@link OneDnn#withOwnScratchpad}).
     */
    private record Step(primitive primitive, long scratchpadBytes) {

        void run(stream stream, IntMemoryMap args, INDArray scratchpad) {
            args.put(dnnl.DNNL_ARG_SCRATCHPAD, new memory(flat(scratchpadBytes, memory.data_type.u8),
                    OneDnn.engine(), ContiguousMemory.pointer(scratchpad)));
            primitive.execute(stream, args);
            stream._wait();
        }
    }

    private Step product(long batch, long rows, long inner, long columns) {
        memory.data_type operands = operandType();
        OneDnn.useAllowedThreadCount();
        matmul.desc desc = new matmul.desc(matrices(batch, rows, inner, operands),
                matrices(batch, inner, columns, operands), matrices(batch, rows, columns, memory.data_type.f32));
        matmul.primitive_desc pd = new matmul.primitive_desc(desc, OneDnn.withOwnScratchpad(), OneDnn.engine());
        return new Step(new matmul(pd), pd.scratchpad_desc().get_size());
    }

    private static Step floatProduct(long rows, long inner, long columns, boolean rightTransposed) {
        OneDnn.useAllowedThreadCount();
        matmul.desc desc = new matmul.desc(floatMatrix(rows, inner, false), floatMatrix(inner, columns, rightTransposed),
                floatMatrix(rows, columns, false));
        matmul.primitive_desc pd = new matmul.primitive_desc(desc, OneDnn.withOwnScratchpad(), OneDnn.engine());
        return new Step(new matmul(pd), pd.scratchpad_desc().get_size());
    }

    /** A row-major fp32 matrix, or (transposed) one stored as its row-major transpose. */
    private static memory.desc floatMatrix(long rows, long columns, boolean transposed) {
        return new memory.desc(new long[] {rows, columns}, memory.data_type.f32,
                transposed ? memory.format_tag.ba : memory.format_tag.ab);
    }

    private static Step rounding(long length) {
        OneDnn.useAllowedThreadCount();
        reorder.primitive_desc pd = new reorder.primitive_desc(OneDnn.engine(), flat(length, memory.data_type.f32),
                OneDnn.engine(), flat(length, memory.data_type.bf16), OneDnn.withOwnScratchpad(), false);
        return new Step(new reorder(pd), pd.scratchpad_desc().get_size());
    }

    /**
     * The thread count allowed now, part of every primitive's key: oneDNN runs a primitive with the threads it was
     * built for.
     */
    private static long threads() {
        return NativeThreads.allowed();
    }

    private memory.data_type operandType() {
        return precision == Precision.BF16 ? memory.data_type.bf16 : memory.data_type.f32;
    }

    private static memory.desc matrices(long batch, long rows, long columns, memory.data_type type) {
        return new memory.desc(new long[] {batch, rows, columns}, type, memory.format_tag.abc);
    }

    private static memory.desc flat(long length, memory.data_type type) {
        return new memory.desc(new long[] {length}, type, memory.format_tag.a);
    }

    private stream stream() {
        if (stream == null) {
            stream = new stream(OneDnn.engine());
        }
        return stream;
    }

    private static <K, V> Map<K, V> lruMap() {
        return new LinkedHashMap<>(8, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > PRIMITIVES_KEPT;
            }
        };
    }
}
