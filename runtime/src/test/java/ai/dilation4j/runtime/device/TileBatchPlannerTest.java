package ai.dilation4j.runtime.device;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TileBatchPlannerTest {

    @Test
    void fillsEightyPercentOfFreeMemoryWithinBounds() {
        long tile = 620L << 20; // DilatedNet-8 at 900x900: 3 x conv1_1's 206 MB output
        assertThat(TileBatchPlanner.tilesThatFit(24L << 30, tile)).isEqualTo(TileBatchPlanner.MAX_TILES);
        assertThat(TileBatchPlanner.tilesThatFit(4L << 30, tile)).isEqualTo(5);
        assertThat(TileBatchPlanner.tilesThatFit(1L << 30, tile)).isEqualTo(1);
        assertThat(TileBatchPlanner.tilesThatFit(0, tile)).as("never less than one tile").isEqualTo(1);
    }
}
