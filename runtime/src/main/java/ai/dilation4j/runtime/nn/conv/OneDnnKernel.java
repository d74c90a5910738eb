package ai.dilation4j.runtime.nn.conv;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.PointerScope;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import ai.dilation4j.runtime.device.NativeThreads;
import ai.dilation4j.runtime.nn.onednn.OneDnn;

/**
 * oneDNN's direct convolution ({@code convolution_forward}), in fp32 or with bf16 inputs and weights (fp32
 * accumulation and output). Per layer, input size and thread count it builds the primitive once; the weights are
 * reordered into the layout (and type) the primitive prefers once per layer and kept; bias and a plain or leaky ReLU
 * activation are fused into the convolution. The layer's NCHW input and output stay where they are when the
 * primitive takes plain NCHW ({@link #LAYOUTS}), else are reordered to and from its blocked layout in working
 * memory.
 */
final class OneDnnKernel implements ConvolutionKernel {

    /**
     * Primitives kept per layer: one per input size seen most recently (a benchmark alternates two; each holds a few
     * KB, the weights are shared between them).
     */
    private static final int PLANS_KEPT = 4;

    private final Precision precision;
    private final OneDnnCostModel costs;
    private final Map<PlanKey, Plan> plans = new LinkedHashMap<>(8, 0.75f, true);
    /** The weights in the layout of the last plan built, shared by every plan that wants that layout. */
    private ConvertedWeights weights;
    private stream stream;
    private String lastImplementation = "";

    OneDnnKernel(Precision precision, OneDnnCostModel costs) {
        this.precision = precision;
        this.costs = costs;
    }

    @Override
    public String name() {
        return "onednn" + (precision == Precision.BF16 ? " bf16 " : " ") + lastImplementation;
    }

    /**
     * Stride-1 NCHW float inference, when oneDNN loaded and has a primitive for it ({@link KernelChooser} offers bf16
     * passes to the bf16 kernel only).
     */
    @Override
    public boolean supports(ConvolutionPass pass) {
        return pass.geometryIfPlain().filter(geometry -> OneDnn.available()
                // no primitive built for a pass it would never win
                && cost(geometry) < Double.POSITIVE_INFINITY
                && plan(pass) != null).isPresent();
    }

    /** {@link OneDnnCostModel}'s estimate in this kernel's precision. */
    @Override
    public double cost(ConvolutionPass pass) {
        return cost(pass.geometryIfPlain().orElseThrow());
    }

    private double cost(ConvolutionGeometry geometry) {
        return precision == Precision.BF16 ? costs.bf16Cost(geometry) : costs.cost(geometry);
    }

    /**
     * No: it adds the products in another order than im2col + GEMM, so {@link ConvolutionAlgorithm#GEMM} keeps to
     * Caffe's arithmetic without it. In fp32 its results lie as close to Caffe's (measured: within 1e-6 of a
     * blob's largest value on every layer of DilatedNet-8); bf16 rounds every input and weight to 8 bits of mantissa.
     */
    @Override
    public boolean roundsLikeCaffe() {
        return false;
    }

    @Override
    public INDArray forward(ConvolutionPass pass, LayerWorkspaceMgr workspaceMgr) {
        Plan plan = plan(pass);
        ConvertedWeights converted = weights(plan, pass);
        INDArray input = ConvolutionPass.contiguous(pass.input());
        ConvolutionGeometry g = pass.geometryIfPlain().orElseThrow();
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
                new long[] {g.batch(), g.outChannels(), g.outH(), g.outW()}, 'c');
        INDArray bias = pass.bias();
        INDArray biasValues = bias == null ? null : ConvolutionPass.contiguous(bias);
        // Working memory for the primitive's own layouts: DL4J's workspace reuses it from one pass to the next.
        INDArray srcBuffer = plan.srcReorder == null ? null : OneDnn.workingMemory(workspaceMgr, plan.srcDesc.get_size());
        INDArray dstBuffer = plan.dstReorder == null ? null : OneDnn.workingMemory(workspaceMgr, plan.dstDesc.get_size());
        INDArray scratchpad = OneDnn.workingMemory(workspaceMgr, plan.scratchpadBytes);
        stream s = stream(); // kept: made before the scope that frees what this call wraps
        OneDnn.useAllowedThreadCount(); // the count plan(pass) was built for
        try (PointerScope scope = new PointerScope()) {
            memory userSrc = new memory(plan.userSrcDesc, OneDnn.engine(), ContiguousMemory.pointer(input));
            memory userDst = new memory(plan.userDstDesc, OneDnn.engine(), ContiguousMemory.pointer(out));
            memory src = srcBuffer == null ? userSrc
                    : new memory(plan.srcDesc, OneDnn.engine(), ContiguousMemory.pointer(srcBuffer));
            memory dst = dstBuffer == null ? userDst
                    : new memory(plan.dstDesc, OneDnn.engine(), ContiguousMemory.pointer(dstBuffer));
            if (plan.srcReorder != null) {
                Plan.runReorder(plan.srcReorder, scratch(plan.srcReorderScratchpadDesc, scratchpad), s, userSrc,
                        src);
            }
            IntMemoryMap args = new IntMemoryMap();
            args.put(dnnl.DNNL_ARG_SRC, src);
            args.put(dnnl.DNNL_ARG_WEIGHTS, converted.values);
            args.put(dnnl.DNNL_ARG_DST, dst);
            args.put(dnnl.DNNL_ARG_SCRATCHPAD, scratch(plan.scratchpadDesc, scratchpad));
            if (biasValues != null) {
                args.put(dnnl.DNNL_ARG_BIAS, new memory(plan.biasDesc, OneDnn.engine(),
                        ContiguousMemory.pointer(biasValues)));
            }
            plan.primitive.execute(s, args);
            if (plan.dstReorder != null) {
                Plan.runReorder(plan.dstReorder, scratch(plan.dstReorderScratchpadDesc, scratchpad), s, dst,
                        userDst);
            }
            s._wait();
        }
        lastImplementation = plan.implementation;
        return plan.activationDone ? out : pass.conf().getActivationFn().getActivation(out, false);
    }

    /** Forgets the converted weights: the layer's parameters changed. */
    void forgetWeights() {
        weights = null;
    }

    private static memory scratch(memory.desc desc, INDArray buffer) {
        return new memory(desc, OneDnn.engine(), ContiguousMemory.pointer(buffer));
    }

    private stream stream() {
        if (stream == null) {
            stream = new stream(OneDnn.engine());
        }
        return stream;
    }

    /**
     * The plan for the pass's input size and the thread count allowed now, built on first use; null when oneDNN has
     * no primitive for it.
     */
    private Plan plan(ConvolutionPass pass) {
        PlanKey key = new PlanKey(pass.input().shape(), NativeThreads.allowed());
        Plan plan = plans.get(key);
        if (plan == null && !plans.containsKey(key)) {
            plan = Plan.build(pass, precision);
            plans.put(key, plan);
            if (plans.size() > PLANS_KEPT) {
                plans.remove(plans.keySet().iterator().next());
            }
        }
        return plan;
    }

    private ConvertedWeights weights(Plan plan, ConvolutionPass pass) {
        if (weights == null || !weights.desc.equals(plan.weightsDesc)) {
            weights = ConvertedWeights.of(pass.weights(), plan.weightsDesc);
        }
        return weights;
    }

    /** An input size and the thread count a primitive is built for (it runs with that many, see OneDnn). */
    private record PlanKey(long[] inputShape, int threads) {
        @Override
        public boolean equals(Object other) {
            return other instanceof PlanKey key && Arrays.equals(inputShape, key.inputShape) && threads == key.threads;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(inputShape) * 31 + threads;
        }
    }

    /** The layer's weights in a primitive's layout and type, in memory oneDNN allocated. */
    private record ConvertedWeights(memory.desc desc, memory values) {
        static ConvertedWeights of(INDArray weights, memory.desc desc) {
            INDArray plain = ConvolutionPass.contiguous(weights);
            memory converted = new memory(desc, OneDnn.engine());
            try (PointerScope scope = new PointerScope()) {
                memory.desc plainDesc = new memory.desc(plain.shape(), memory.data_type.f32, memory.format_tag.oihw);
                memory source = new memory(plainDesc, OneDnn.engine(), ContiguousMemory.pointer(plain));
                stream s = new stream(OneDnn.engine());
                OneDnn.useAllowedThreadCount();
                new reorder(source, converted).execute(s, source, converted);
                s._wait();
            }
            return new ConvertedWeights(desc, converted);
        }
    }

    /** A primitive for one input size, with the reorders of its input and output and their memory descriptions. */
    private static final class Plan {
        final convolution_forward primitive;
        final String implementation;
        final boolean activationDone;
        final memory.desc userSrcDesc;
        final memory.desc userDstDesc;
        final memory.desc srcDesc;
        final memory.desc dstDesc;
        final memory.desc weightsDesc;
        final memory.desc biasDesc;
        /** Null when the primitive reads the layer's NCHW float input as it is. */
        final reorder srcReorder;
        /** Null when the primitive writes the layer's NCHW float output itself. */
        final reorder dstReorder;
        /**
         * Working memory the primitive and its reorders take from the caller (see {@link OneDnn#withOwnScratchpad}): one
         * buffer of {@link #scratchpadBytes} serves all three, which run one after another on one stream.
         */
        final memory.desc scratchpadDesc;
        final memory.desc srcReorderScratchpadDesc;
        final memory.desc dstReorderScratchpadDesc;
        final long scratchpadBytes;

        private Plan(convolution_forward.primitive_desc pd, boolean activationDone, memory.desc userSrcDesc,
                     memory.desc userDstDesc, memory.desc biasDesc) {
            this.primitive = new convolution_forward(pd);
            this.implementation = pd.impl_info_str().getString();
            this.activationDone = activationDone;
            this.userSrcDesc = userSrcDesc;
            this.userDstDesc = userDstDesc;
            this.srcDesc = pd.src_desc();
            this.dstDesc = pd.dst_desc();
            this.weightsDesc = pd.weights_desc();
            this.biasDesc = biasDesc;
            this.scratchpadDesc = pd.scratchpad_desc();
            reorder.primitive_desc srcPd = srcDesc.equals(userSrcDesc) ? null : new reorder.primitive_desc(
                    OneDnn.engine(), userSrcDesc, OneDnn.engine(), srcDesc, OneDnn.withOwnScratchpad(), false);
            reorder.primitive_desc dstPd = dstDesc.equals(userDstDesc) ? null : new reorder.primitive_desc(
                    OneDnn.engine(), dstDesc, OneDnn.engine(), userDstDesc, OneDnn.withOwnScratchpad(), false);
            this.srcReorder = srcPd == null ? null : new reorder(srcPd);
            this.dstReorder = dstPd == null ? null : new reorder(dstPd);
            this.srcReorderScratchpadDesc = srcPd == null ? null : srcPd.scratchpad_desc();
            this.dstReorderScratchpadDesc = dstPd == null ? null : dstPd.scratchpad_desc();
            this.scratchpadBytes = Math.max(scratchpadDesc.get_size(), Math.max(
                    srcPd == null ? 0 : srcReorderScratchpadDesc.get_size(),
                    dstPd == null ? 0 : dstReorderScratchpadDesc.get_size()));
        }

        static void runReorder(reorder primitive, memory scratch, stream s, memory from, memory to) {
            IntMemoryMap args = new IntMemoryMap();
            args.put(dnnl.DNNL_ARG_FROM, from);
            args.put(dnnl.DNNL_ARG_TO, to);
            args.put(dnnl.DNNL_ARG_SCRATCHPAD, scratch);
            primitive.execute(s, args);
        }

        /**
         * Null when oneDNN has no optimized primitive for the pass in any layout of {@link OneDnnCostModel#layouts}:
         * its reference implementations (e.g. for a padding wider than the kernel) run orders of magnitude slower
         * than im2col + GEMM.
         */
        static Plan build(ConvolutionPass pass, Precision precision) {
            ConvolutionGeometry g = pass.geometryIfPlain().orElseThrow();
            long[] inputShape = pass.input().shape();
            long[] outputShape = {g.batch(), g.outChannels(), g.outH(), g.outW()};
            memory.desc userSrc = new memory.desc(inputShape, memory.data_type.f32, memory.format_tag.nchw);
            memory.desc userDst = new memory.desc(outputShape, memory.data_type.f32, memory.format_tag.nchw);
            memory.desc bias = pass.bias() == null ? new memory.desc()
                    : new memory.desc(new long[] {g.outChannels()}, memory.data_type.f32, memory.format_tag.a);
            IActivation activation = pass.conf().getActivationFn();
            Float reluSlope = reluSlope(activation);
            primitive_attr attributes = OneDnn.withOwnScratchpad();
            if (reluSlope != null) {
                post_ops ops = new post_ops();
                ops.append_eltwise(1f, dnnl.algorithm.eltwise_relu, reluSlope, 0f);
                attributes.set_post_ops(ops);
            }
            boolean activationDone = reluSlope != null || activation instanceof ActivationIdentity;
            OneDnn.useAllowedThreadCount();
            for (memory.format_tag layout : OneDnnCostModel.layouts(g)) {
                convolution_forward.primitive_desc pd = primitive(pass, precision, layout, inputShape, outputShape,
                        bias, attributes);
                if (pd != null && !pd.impl_info_str().getString().startsWith("ref")) {
                    return new Plan(pd, activationDone, userSrc, userDst, bias);
                }
            }
            return null;
        }

        /** Null when oneDNN has none for this layout (it says so by throwing). */
        private static convolution_forward.primitive_desc primitive(ConvolutionPass pass, Precision precision,
                                                                    memory.format_tag layout, long[] inputShape,
                                                                    long[] outputShape, memory.desc bias,
                                                                    primitive_attr attributes) {
            int[] padding = pass.conf().getPadding();
            int[] dilation = pass.conf().getDilation();
            memory.data_type operands = precision == Precision.BF16 ? memory.data_type.bf16 : memory.data_type.f32;
            try {
                convolution_forward.desc desc = new convolution_forward.desc(dnnl.prop_kind.forward_inference,
                        dnnl.algorithm.convolution_direct,
                        new memory.desc(inputShape, operands, layout),
                        new memory.desc(pass.weights().shape(), operands, memory.format_tag.any),
                        bias,
                        new memory.desc(outputShape, memory.data_type.f32, layout),
                        new long[] {1, 1},
                        // oneDNN counts the gaps between taps: Caffe's dilation minus one
                        new long[] {dilation[0] - 1, dilation[1] - 1},
                        new long[] {padding[0], padding[1]}, new long[] {padding[0], padding[1]});
                return new convolution_forward.primitive_desc(desc, attributes, OneDnn.engine());
            } catch (RuntimeException e) {
                return null;
            }
        }

        /** The negative slope of a plain or leaky ReLU oneDNN can fuse, else null. */
        private static Float reluSlope(IActivation activation) {
            if (activation instanceof ActivationReLU relu && relu.getMax() == null
                    && isZeroOrUnset(relu.getThreshold()) && isZeroOrUnset(relu.getNegativeSlope())) {
                return 0f;
            }
            if (activation instanceof ActivationLReLU leaky) {
                return (float) leaky.getAlpha();
            }
            return null;
        }

        private static boolean isZeroOrUnset(Double value) {
            return value == null || value == 0.0;
        }
    }
}
