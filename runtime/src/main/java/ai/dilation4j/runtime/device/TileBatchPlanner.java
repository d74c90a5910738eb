package ai.dilation4j.runtime.device;

import java.util.List;
import java.util.function.Supplier;

import ai.dilation4j.runtime.VertexSummary;

/**
 * How many tiles one GPU forward pass takes: as many as fit in 80% of the free device memory, counting per tile
 * three times the largest activation of the network (its input, its output and the layer's working memory), at
 * most {@link #MAX_TILES}. On the CPU batching gains nothing, so it stays at one tile.
 */
public final class TileBatchPlanner {

    public static final int MAX_TILES = 8;

    private TileBatchPlanner() {
    }

    public static int tilesThatFit(long freeBytes, long bytesPerTile) {
        if (bytesPerTile <= 0) {
            return 1;
        }
        long usable = freeBytes / 10 * 8;
        return (int) Math.max(1, Math.min(MAX_TILES, usable / bytesPerTile));
    }

    /**
     * Device memory one tile needs: three times the largest float activation for the model's input size, from the
     * model's {@code vertices()}.
     */
    public static long bytesPerTile(List<VertexSummary> vertices) {
        long largest = 0;
        for (VertexSummary vertex : vertices) {
            long elements = 1;
            for (long dimension : vertex.outputShape()) {
                elements *= Math.max(1, dimension);
            }
            largest = Math.max(largest, elements);
        }
        return 3 * largest * Float.BYTES;
    }

    /**
     * Tiles per pass on the current backend: 1 on the CPU; on CUDA from the least free memory among the visible
     * GPUs, shared by {@code concurrentPasses} forward passes running at once. {@code vertices} supplies the model's
     * {@code vertices()}, only asked for on CUDA because it runs shape inference over the whole graph.
     */
    public static int forCurrentBackend(Supplier<List<VertexSummary>> vertices, int concurrentPasses) {
        if (org.nd4j.linalg.factory.Nd4j.getEnvironment().isCPU()) {
            return 1;
        }
        long free = GpuProbe.probe().stream().mapToLong(GpuInfo::freeBytes).min().orElse(0);
        return tilesThatFit(free / Math.max(1, concurrentPasses), bytesPerTile(vertices.get()));
    }
}
