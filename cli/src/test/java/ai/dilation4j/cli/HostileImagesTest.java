package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.runtime.testing.CraftedPng;

/**
 * Images that cost far more than their bytes are refused by {@code segment} from their header, before any pixel is
 * decoded: memory stays flat, the exit code and message say which image and which limit, no output is written. The
 * tiny model's tiles hold 16x24 valid pixels each. (The same refusals in the Java API: runtime's HostileImagesTest.)
 */
class HostileImagesTest {

    static Path model;

    @BeforeAll
    static void convert() throws IOException {
        model = TinyModel.converted();
    }

    @Test
    void aPngBombIsRefusedFromItsHeaderWithFlatMemory(@TempDir Path dir) throws Exception {
        Path bomb = Files.write(dir.resolve("bomb.png"), CraftedPng.zeros(30000, 30000, 1));
        assertThat(Files.size(bomb)).isLessThan(1 << 20);
        long rssBefore = residentMegabytes();
        CliRun run = CliRun.of("segment", "--model", model.toString(), "-o", dir.resolve("out").toString(),
                bomb.toString());
        long grown = residentMegabytes() - rssBefore;
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(SegmentCommand.SOME_FAILED);
        assertThat(run.err()).contains("bomb.png is 30000x30000 = 900000000 pixels, more than the limit of 20000000");
        assertThat(grown).as("MB the process grew; decoding would take 2,700").isLessThan(300);
        assertThat(dir.resolve("out/bomb_labels.png")).doesNotExist();
    }

    @Test
    void aThinImageIsRefusedForItsAspectRatio(@TempDir Path dir) throws Exception {
        byte[] thin = CraftedPng.zeros(1, 999_999, 8);
        Path file = Files.write(dir.resolve("thin.png"), thin);
        CliRun run = CliRun.of("segment", "--model", model.toString(), "-o", dir.toString(), file.toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(SegmentCommand.SOME_FAILED);
        assertThat(run.err()).contains("1x999999, an aspect ratio of 999999:1, more than the limit of 20:1");
    }

    @Test
    void theTileCountIsLimitedAndTheLimitCanBeRaised(@TempDir Path dir) throws Exception {
        Path image = TinyModel.image(dir.resolve("wide.png"), 40, 120, 3); // 3 x 5 tiles of 16x24
        CliRun refused = CliRun.of("segment", "--model", model.toString(), "-o", dir.toString(), "--max-tiles", "14",
                image.toString());
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(SegmentCommand.SOME_FAILED);
        assertThat(refused.err()).contains("needs 15 network tiles of 388x396 (label margin 186), more than the "
                + "limit of 14");
        CliRun raised = CliRun.of("segment", "--model", model.toString(), "-o", dir.toString(), "--max-tiles", "15",
                image.toString());
        assertThat(raised.exitCode()).as(raised.toString()).isZero();
    }

    @Test
    void aHeaderClaimingNoPixelsOrAnUnknownFormatIsRefusedWithoutDecoding(@TempDir Path dir) throws Exception {
        Path empty = Files.write(dir.resolve("zero.png"), CraftedPng.zeros(0, 5, 8));
        Path text = Files.writeString(dir.resolve("notes.png"), "not an image at all");
        CliRun run = CliRun.of("segment", "--model", model.toString(), "-o", dir.resolve("out").toString(),
                empty.toString(), text.toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(SegmentCommand.SOME_FAILED);
        assertThat(run.err()).contains("zero.png declares 0x5 pixels", "notes.png: it is not a PNG, JPEG");
    }

    private static long residentMegabytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
