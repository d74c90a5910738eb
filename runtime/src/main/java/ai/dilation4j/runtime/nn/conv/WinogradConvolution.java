package ai.dilation4j.runtime.nn.conv;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import ai.dilation4j.runtime.device.NativeThreads;

/**
 * A stride-1, possibly dilated, square convolution of one NCHW image by Winograd's F(m x m, r x r): every
 * {@code m x m} block of outputs costs {@code alpha^2} multiplications per input/output channel pair instead of
 * {@code m^2 r^2} (3x fewer for DilatedNet's 7x7 fc6 with m = 2, 4x for 3x3 kernels with m = 4).
 *
 * <p>A dilated convolution is an undilated one on each of the {@code d x d} interleaved sub-grids of the image,
 * so tiles are taken on those sub-grids: tile elements lie {@code d} pixels apart. All four steps are GEMMs or
 * plain copies: gather tiles {@code V[alpha^2][C][T]}, input transform {@code U = (B^T (x) B^T) V}, per tile
 * element {@code M_xi = W_xi U_xi} with the transformed weights {@code W_xi[O][C] = (G (x) G) w}, output
 * transform {@code Y = (A^T (x) A^T) M}, scatter. Output channels go in blocks so the transformed weights never
 * exist whole (for fc6 they would be 537 MB next to the 411 MB of original weights); tiles go in chunks so the
 * transformed input stays within the working-memory budget.
 */
final class WinogradConvolution {

    /**
     * Working memory: the gathered and the transformed tiles take up to 4/5 of it, so DilatedNet's fc6 at 900x900
     * (1,156 tiles of 8x8 over 512 channels: 2 x 151 MB) runs as one chunk and its weights are transformed once.
     */
    static final long BUDGET_BYTES = 400L << 20;

    private final WinogradTransforms transforms;
    private final INDArray inputTransform;
    private final INDArray filterTransform;
    private final INDArray outputTransform;
    private final int dilation;
    private final long budgetBytes;
    /** The per-element products as one batched oneDNN matmul (fp32 or bf16); null: one {@link Gemm} each. */
    private final OneDnnMatmul matmul;

    WinogradConvolution(WinogradTransforms transforms, int dilation, long budgetBytes, OneDnnMatmul matmul) {
        this.transforms = transforms;
        this.dilation = dilation;
        this.budgetBytes = budgetBytes;
        this.matmul = matmul;
        try (var ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            this.inputTransform = matrix(WinogradTransforms.kronecker(transforms.bt(), transforms.bt()));
            this.filterTransform = matrix(WinogradTransforms.kronecker(transforms.g(), transforms.g()));
            this.outputTransform = matrix(WinogradTransforms.kronecker(transforms.at(), transforms.at()));
        }
    }

    /**
     * The Winograd algorithm for a square {@code kernel x kernel} convolution with the given dilation, or
     * {@code null} when there is none worth using: F(4x4, 3x3) and F(2x2, 5x5) (6x6 tiles), F(2x2, 7x7) (8x8 tiles).
     * Larger tiles would save more multiplications but lose float precision quickly (points beyond +-2).
     *
     * @param matmul oneDNN's batched matmul for the products, in its precision; null multiplies with ND4J in fp32
     */
    static WinogradConvolution forKernel(int kernel, int dilation, long budgetBytes, OneDnnMatmul matmul) {
        return existsFor(kernel) ? new WinogradConvolution(WinogradTransforms.of(outputTile(kernel), kernel),
                dilation, budgetBytes, matmul) : null;
    }

    /** Whether {@link #forKernel} has an algorithm for this kernel size. */
    static boolean existsFor(int kernel) {
        return outputTile(kernel) > 0;
    }

    private static int outputTile(int kernel) {
        return switch (kernel) {
            case 3 -> 4;
            case 5, 7 -> 2;
            default -> 0;
        };
    }

    /**
     * What {@link #convolve} costs for one image, in multiply-adds, each GEMM call counted as {@code gemmCallCost}
     * more: the transform of the weights, repeated for every chunk of tiles on every call (they are never kept
     * transformed, see the class comment), the input transform, the products, one GEMM per tile element and block,
     * and the output transform; in bf16 the products count half (twice the multiply-adds per instruction, measured
     * 1.9-2x) and a batched matmul is one call per block. The weights' transform and the calls do not shrink with the image, so on small
     * outputs they outweigh what the products save: DilatedNet's fc6 at a 1x1 output would transform 411 MB of
     * weights, in 529 GEMM calls, for 0.1 G multiply-adds of products.
     */
    double cost(long channels, long outChannels, long outH, long outW, double gemmCallCost) {
        Plan plan = plan(channels, outChannels, outH, outW);
        double tileArea = (double) transforms.alpha() * transforms.alpha();
        double taps = (double) transforms.r() * transforms.r();
        double outputsPerTile = (double) transforms.m() * transforms.m();
        double tiles = plan.tiles();
        long blocks = (outChannels + plan.block() - 1) / plan.block();
        double productCalls = matmul == null ? tileArea : 1;
        double productWeight = matmul != null && matmul.precision() == Precision.BF16 ? 0.5 : 1.0;
        double calls = (double) plan.chunks() * (1 + blocks * (productCalls + 2));
        return plan.chunks() * tileArea * taps * outChannels * channels
                + tileArea * tileArea * channels * tiles
                + productWeight * tileArea * outChannels * channels * tiles
                + outputsPerTile * tileArea * outChannels * tiles
                + calls * gemmCallCost;
    }

    /**
     * How one image is split: tiles go in chunks so that the gathered and the transformed tiles take at most 4/5 of
     * the budget; output channels go in blocks whose transformed weights and products take the rest. Each block's
     * products reuse the gathered tiles' memory, hence at most as many outputs as inputs.
     */
    private Plan plan(long channels, long outChannels, long outH, long outW) {
        int m = transforms.m();
        long tileArea = (long) transforms.alpha() * transforms.alpha();
        long tiles = tilesAlong(outH) * tilesAlong(outW);
        long tilesPerChunk = Math.max(1, Math.min(tiles,
                budgetBytes * 4 / 5 / (2L * tileArea * channels * Float.BYTES)));
        long block = Math.max(1, Math.min(Math.min(outChannels, channels),
                budgetBytes / 5 / ((tileArea * channels + (long) m * m * tilesPerChunk) * Float.BYTES)));
        return new Plan(tiles, tilesPerChunk, block);
    }

    private record Plan(long tiles, long tilesPerChunk, long block) {
        long chunks() {
            return (tiles + tilesPerChunk - 1) / tilesPerChunk;
        }
    }

    /** As many as {@link Tiles#origins} yields: per residue class modulo the dilation, one tile every m-th position. */
    private long tilesAlong(long size) {
        long step = (long) transforms.m() * dilation;
        long count = 0;
        for (long residue = 0; residue < Math.min(dilation, size); residue++) {
            count += (size - residue + step - 1) / step;
        }
        return count;
    }

    /**
     * {@code result[O, outH*outW] = conv(image, weights)} without bias.
     *
     * @param image   one padded image, {@code [C, height, width]} row-major
     * @param weights {@code [O, C*r*r]} in Caffe's order
     */
    void convolve(FloatBuffer image, long channels, long height, long width, INDArray weights, INDArray result,
                  long outH, long outW, LayerWorkspaceMgr workspaceMgr) {
        int m = transforms.m();
        int alpha = transforms.alpha();
        int tileArea = alpha * alpha;
        Tiles tiles = Tiles.of(outH, outW, m, dilation);
        long outChannels = weights.size(0);
        Plan plan = plan(channels, outChannels, outH, outW);
        long tilesPerChunk = plan.tilesPerChunk();
        long block = plan.block();
        long tileValues = tileArea * channels * tilesPerChunk;
        long weightValues = tileArea * block * channels;
        long outputValues = (long) m * m * block * tilesPerChunk;
        INDArray gathered = floats(workspaceMgr, tileValues);
        INDArray transformed = floats(workspaceMgr, tileValues);
        INDArray blockWeights;
        INDArray blockOutputs;
        OneDnnMatmul.Session session = null;
        if (matmul != null && matmul.precision() == Precision.BF16) {
            // The products read bf16 copies: the fp32 transformed tiles are dead once copied, so the block's
            // weights, their copy and its outputs reuse that memory where it is large enough (fc6: 378 MB of
            // working memory instead of 487 MB).
            long weightCopyValues = OneDnnMatmul.bf16CopyFloats(weightValues);
            INDArray tileCopy = floats(workspaceMgr, OneDnnMatmul.bf16CopyFloats(tileValues));
            boolean reuse = weightValues + weightCopyValues + outputValues <= tileValues;
            blockWeights = reuse ? region(transformed, 0, weightValues) : floats(workspaceMgr, weightValues);
            INDArray weightCopy = reuse ? region(transformed, weightValues, weightCopyValues)
                    : floats(workspaceMgr, weightCopyValues);
            blockOutputs = reuse ? region(transformed, weightValues + weightCopyValues, outputValues)
                    : floats(workspaceMgr, outputValues);
            session = matmul.session(weightCopy, tileCopy, workspaceMgr);
        } else {
            blockWeights = floats(workspaceMgr, weightValues);
            blockOutputs = floats(workspaceMgr, outputValues);
            if (matmul != null) {
                session = matmul.session(null, null, workspaceMgr);
            }
        }
        FloatBuffer resultFloats = ContiguousMemory.floats(result);
        int tapCount = transforms.r() * transforms.r();
        INDArray weightRows = ContiguousMemory.alias(weights, outChannels * channels, tapCount);
        for (long first = 0; first < tiles.count(); first += tilesPerChunk) {
            int count = (int) Math.min(tilesPerChunk, tiles.count() - first);
            INDArray v = gathered.get(NDArrayIndex.interval(0, tileArea * channels * count))
                    .reshape('c', tileArea, channels * count);
            gather(image, channels, height, width, tiles, (int) first, count, ContiguousMemory.floats(gathered));
            INDArray u = transformed.get(NDArrayIndex.interval(0, tileArea * channels * count))
                    .reshape('c', tileArea, channels * count);
            if (session != null) {
                session.multiplyFloats(inputTransform, v, false, u, tileArea, tileArea, channels * count);
            } else {
                Gemm.multiply(inputTransform, v, u, false, false);
            }
            OneDnnMatmul.Operand tileOperand = session == null ? null : session.right(u);
            for (long firstOut = 0; firstOut < outChannels; firstOut += block) {
                long blockSize = Math.min(block, outChannels - firstOut);
                INDArray w = blockWeights.get(NDArrayIndex.interval(0, tileArea * blockSize * channels))
                        .reshape('c', tileArea, blockSize * channels);
                INDArray taps = weightRows.get(NDArrayIndex.interval(firstOut * channels,
                        (firstOut + blockSize) * channels), NDArrayIndex.all());
                if (session != null) {
                    session.multiplyFloats(filterTransform, taps, true, w, tileArea, tapCount, blockSize * channels);
                } else {
                    Gemm.multiply(filterTransform, taps, w, false, true);
                }
                INDArray products = gathered.get(NDArrayIndex.interval(0, tileArea * blockSize * count))
                        .reshape('c', tileArea, blockSize * count);
                if (session != null) {
                    session.multiply(w, tileOperand, products, tileArea, blockSize, channels, count);
                } else {
                    for (int element = 0; element < tileArea; element++) {
                        INDArray wElement = w.get(NDArrayIndex.point(element)).reshape('c', blockSize, channels);
                        INDArray uElement = u.get(NDArrayIndex.point(element)).reshape('c', channels, count);
                        INDArray pElement = products.get(NDArrayIndex.point(element)).reshape('c', blockSize, count);
                        Gemm.multiply(wElement, uElement, pElement, false, false);
                    }
                }
                INDArray y = blockOutputs.get(NDArrayIndex.interval(0, (long) m * m * blockSize * count))
                        .reshape('c', (long) m * m, blockSize * count);
                if (session != null) {
                    session.multiplyFloats(outputTransform, products, false, y, (long) m * m, tileArea,
                            blockSize * count);
                } else {
                    Gemm.multiply(outputTransform, products, y, false, false);
                }
                scatter(ContiguousMemory.floats(blockOutputs), tiles, (int) first, count, (int) firstOut,
                        (int) blockSize, resultFloats, outH, outW);
            }
        }
    }

    private static INDArray floats(LayerWorkspaceMgr workspaceMgr, long values) {
        return workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, DataType.FLOAT, new long[] {values}, 'c');
    }

    /** {@code length} floats of {@code array} from {@code offset}, as a top-level array (views of views are unreliable). */
    private static INDArray region(INDArray array, long offset, long length) {
        return ContiguousMemory.alias(array.get(NDArrayIndex.interval(offset, offset + length)), length);
    }

    private void gather(FloatBuffer image, long channels, long height, long width, Tiles tiles, int first,
                        int count, FloatBuffer target) {
        int alpha = transforms.alpha();
        int plane = (int) (height * width);
        int rowStride = (int) width;
        NativeThreads.parallelIfAllowed(IntStream.range(0, (int) channels)).forEach(channel -> {
            int planeStart = channel * plane;
            for (int ey = 0; ey < alpha; ey++) {
                for (int ex = 0; ex < alpha; ex++) {
                    int to = (int) (((long) (ey * alpha + ex) * channels + channel) * count);
                    int dy = ey * dilation;
                    int dx = ex * dilation;
                    for (int t = 0; t < count; t++) {
                        int y = tiles.originY(first + t) + dy;
                        int x = tiles.originX(first + t) + dx;
                        target.put(to + t, y < height && x < width ? image.get(planeStart + y * rowStride + x) : 0f);
                    }
                }
            }
        });
    }

    private void scatter(FloatBuffer blockOutputs, Tiles tiles, int first, int count, int firstOut, int blockSize,
                         FloatBuffer result, long outH, long outW) {
        int m = transforms.m();
        int plane = (int) (outH * outW);
        NativeThreads.parallelIfAllowed(IntStream.range(0, blockSize)).forEach(o -> {
            int planeStart = (firstOut + o) * plane;
            for (int iy = 0; iy < m; iy++) {
                for (int ix = 0; ix < m; ix++) {
                    int from = (int) (((long) (iy * m + ix) * blockSize + o) * count);
                    for (int t = 0; t < count; t++) {
                        int y = tiles.originY(first + t) + iy * dilation;
                        int x = tiles.originX(first + t) + ix * dilation;
                        if (y < outH && x < outW) {
                            result.put(planeStart + y * (int) outW + x, blockOutputs.get(from + t));
                        }
                    }
                }
            }
        });
    }

    @Override
    public String toString() {
        int m = transforms.m();
        int r = transforms.r();
        String precision = matmul != null && matmul.precision() == Precision.BF16 ? "bf16 " : "";
        return "winograd " + precision + "F(" + m + "x" + m + "," + r + "x" + r + ")";
    }

    private static INDArray matrix(float[][] rows) {
        return Nd4j.createFromArray(rows);
    }

    /**
     * Output tiles in sub-grid order: a tile holds outputs {@code origin + d*(i, j)}, {@code 0 <= i, j < m}, and
     * reads inputs {@code origin + d*(i, j)}, {@code 0 <= i, j < alpha}. Tiles past the last output are computed
     * on zeros and dropped.
     */
    private record Tiles(int[] originYs, int[] originXs) {

        static Tiles of(long outH, long outW, int m, int dilation) {
            int[] ys = origins(outH, m, dilation);
            int[] xs = origins(outW, m, dilation);
            int[] originYs = new int[ys.length * xs.length];
            int[] originXs = new int[ys.length * xs.length];
            int t = 0;
            for (int y : ys) {
                for (int x : xs) {
                    originYs[t] = y;
                    originXs[t] = x;
                    t++;
                }
            }
            return new Tiles(originYs, originXs);
        }

        /** Per residue class modulo the dilation, every m-th position of that class. */
        private static int[] origins(long size, int m, int dilation) {
            return IntStream.range(0, (int) Math.min(dilation, size))
                    .flatMap(residue -> IntStream.iterate(residue, o -> o < size, o -> o + m * dilation))
                    .toArray();
        }

        int count() {
            return originYs.length;
        }

        int originY(int tile) {
            return originYs[tile];
        }

        int originX(int tile) {
            return originXs[tile];
        }
    }
}
