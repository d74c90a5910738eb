package ai.dilation4j.runtime.nn.onednn;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.pooling_forward;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.PointerScope;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import ai.dilation4j.runtime.io.RowMajor;

/**
 * Max pooling of an NCHW float array by oneDNN's JIT pooling, with explicit padding on each side (cells in the padding
 * never win, as in Caffe). Its JIT kernels take channels in blocks of 16, so the input is reordered to that layout and
 * the output back: on DilatedNet-8's pool1 (64 x 896 x 896) 16 + 16 + 2 ms, where libnd4j's NCHW max pooling takes
 * 275 ms and oneDNN's own NCHW one 245 ms (measured on this project's 2-core AVX-512 machine).
 *
 * <p>One instance per graph vertex: it keeps a primitive per input size and thread count and is not for concurrent
 * use.
 */
public final class OneDnnMaxPooling {

    /** Below this many channels the blocked layout is mostly padding: libnd4j's pooling is left to do it. */
    public static final long MIN_CHANNELS = 16;

    private static final int PLANS_KEPT = 4;

    private final int[] kernel;
    private final int[] stride;
    private final Map<Key, Optional<Plan>> plans = new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Optional<Plan>> eldest) {
            return size() > PLANS_KEPT;
        }
    };
    private stream stream;

    /**
     * @param kernel {height, width}
     * @param stride {height, width}
     */
    public OneDnnMaxPooling(int[] kernel, int[] stride) {
        this.kernel = kernel.clone();
        this.stride = stride.clone();
    }

    /** Whether oneDNN loaded here and the input is a contiguous NCHW float array with enough channels. */
    public static boolean supports(INDArray input) {
        return OneDnn.available() && input.rank() == 4 && input.dataType() == DataType.FLOAT
                && input.size(1) >= MIN_CHANNELS;
    }

    /**
     * The pooled {@code [N, C, outH, outW]} array in the activations workspace (the blocked copies in working
     * memory), or null when oneDNN has no primitive for this pooling.
     *
     * @param padBefore {top, left}
     * @param padAfter  {bottom, right}: may exceed the top/left padding, for Caffe's rounded-up output size
     */
    public INDArray forward(INDArray input, long outH, long outW, int[] padBefore, int[] padAfter,
                            LayerWorkspaceMgr workspaceMgr) {
        INDArray source = RowMajor.isRowMajor(input) ? input : workspaceMgr.dup(ArrayType.FF_WORKING_MEM, input, 'c');
        long[] inShape = source.shape();
        long[] outShape = {inShape[0], inShape[1], outH, outW};
        int threads = OneDnn.useAllowedThreadCount();
        Plan plan = plans.computeIfAbsent(new Key(inShape, outShape, padBefore.clone(), padAfter.clone(), threads),
                key -> Plan.build(key, kernel, stride)).orElse(null);
        if (plan == null) {
            return null;
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, outShape, 'c');
        INDArray blockedIn = OneDnn.workingMemory(workspaceMgr, plan.blockedSrc.get_size());
        INDArray blockedOut = OneDnn.workingMemory(workspaceMgr, plan.blockedDst.get_size());
        INDArray scratchpad = OneDnn.workingMemory(workspaceMgr, plan.scratchpadBytes);
        stream s = stream(); // made before the scope, which frees what is made inside it
        try (PointerScope scope = new PointerScope()) {
            memory userSrc = new memory(plan.userSrc, OneDnn.engine(), RowMajor.floats(source));
            memory userDst = new memory(plan.userDst, OneDnn.engine(), RowMajor.floats(out));
            memory src = new memory(plan.blockedSrc, OneDnn.engine(), RowMajor.floats(blockedIn));
            memory dst = new memory(plan.blockedDst, OneDnn.engine(), RowMajor.floats(blockedOut));
            memory scratch = new memory(new memory.desc(new long[] {Math.max(1, plan.scratchpadBytes)},
                    memory.data_type.u8, memory.format_tag.a), OneDnn.engine(), RowMajor.floats(scratchpad));
            run(plan.toBlocked, s, scratch, dnnl.DNNL_ARG_FROM, userSrc, dnnl.DNNL_ARG_TO, src);
            run(plan.pooling, s, scratch, dnnl.DNNL_ARG_SRC, src, dnnl.DNNL_ARG_DST, dst);
            run(plan.fromBlocked, s, scratch, dnnl.DNNL_ARG_FROM, dst, dnnl.DNNL_ARG_TO, userDst);
            s._wait();
        }
        return out;
    }

    private static void run(primitive step, stream s, memory scratch, int inArg, memory in, int outArg, memory out) {
        IntMemoryMap args = new IntMemoryMap();
        args.put(inArg, in);
        args.put(outArg, out);
        args.put(dnnl.DNNL_ARG_SCRATCHPAD, scratch);
        step.execute(s, args);
    }

    private stream stream() {
        if (stream == null) {
            stream = new stream(OneDnn.engine());
        }
        return stream;
    }

    /** A pooling and the thread count its primitives are built for. */
    private record Key(long[] inShape, long[] outShape, int[] padBefore, int[] padAfter, int threads) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && Arrays.equals(inShape, key.inShape)
                    && Arrays.equals(outShape, key.outShape) && Arrays.equals(padBefore, key.padBefore)
                    && Arrays.equals(padAfter, key.padAfter) && threads == key.threads;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(inShape) * 31 + Arrays.hashCode(outShape) * 17 + Arrays.hashCode(padBefore) * 7
                    + Arrays.hashCode(padAfter) * 3 + threads;
        }
    }

    /** The pooling primitive for one input size and the reorders around it; their scratchpads share one buffer. */
    private record Plan(memory.desc userSrc, memory.desc userDst, memory.desc blockedSrc, memory.desc blockedDst,
                        reorder toBlocked, pooling_forward pooling, reorder fromBlocked, long scratchpadBytes) {

        /** Empty when oneDNN refuses the pooling (it says so by throwing), e.g. for padding wider than the kernel. */
        static Optional<Plan> build(Key key, int[] kernel, int[] stride) {
            try {
                return Optional.of(create(key, kernel, stride));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        }

        private static Plan create(Key key, int[] kernel, int[] stride) {
            OneDnn.useAllowedThreadCount();
            memory.desc userSrc = new memory.desc(key.inShape(), memory.data_type.f32, memory.format_tag.nchw);
            memory.desc userDst = new memory.desc(key.outShape(), memory.data_type.f32, memory.format_tag.nchw);
            memory.desc blockedSrc = new memory.desc(key.inShape(), memory.data_type.f32, memory.format_tag.nChw16c);
            memory.desc blockedDst = new memory.desc(key.outShape(), memory.data_type.f32,
                    memory.format_tag.nChw16c);
            pooling_forward.desc desc = new pooling_forward.desc(dnnl.prop_kind.forward_inference,
                    dnnl.algorithm.pooling_max, blockedSrc, blockedDst,
                    new long[] {stride[0], stride[1]}, new long[] {kernel[0], kernel[1]},
                    new long[] {key.padBefore()[0], key.padBefore()[1]},
                    new long[] {key.padAfter()[0], key.padAfter()[1]});
            pooling_forward.primitive_desc poolingPd = new pooling_forward.primitive_desc(desc,
                    OneDnn.withOwnScratchpad(), OneDnn.engine());
            reorder.primitive_desc toPd = new reorder.primitive_desc(OneDnn.engine(), userSrc, OneDnn.engine(),
                    blockedSrc, OneDnn.withOwnScratchpad(), false);
            reorder.primitive_desc fromPd = new reorder.primitive_desc(OneDnn.engine(), blockedDst, OneDnn.engine(),
                    userDst, OneDnn.withOwnScratchpad(), false);
            long scratchpad = Math.max(poolingPd.scratchpad_desc().get_size(),
                    Math.max(toPd.scratchpad_desc().get_size(), fromPd.scratchpad_desc().get_size()));
            return new Plan(userSrc, userDst, blockedSrc, blockedDst, new reorder(toPd),
                    new pooling_forward(poolingPd), new reorder(fromPd), scratchpad);
        }
    }
}
