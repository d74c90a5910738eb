package ai.dilation4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputPathsTest {

    @TempDir
    Path dir;

    @Test
    void theBaseIsTheDirectoryTheFileOrTheGlobsLastPlainDirectory() throws IOException {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path images = Files.createDirectories(dir.resolve("val/aachen"));
        Files.createFile(images.resolve("a.png"));
        String root = dir.toUri().getPath();

        assertThat(InputPaths.base(new org.apache.hadoop.fs.Path(dir.resolve("val").toString()), fs))
                .isEqualTo(root + "val/");
        assertThat(InputPaths.base(new org.apache.hadoop.fs.Path(images.resolve("a.png").toString()), fs))
                .isEqualTo(root + "val/aachen/");
        assertThat(InputPaths.base(new org.apache.hadoop.fs.Path(dir + "/val/*/*.png"), fs)).isEqualTo(root + "val/");
        assertThat(InputPaths.base(new org.apache.hadoop.fs.Path(dir + "/va{l,x}/a*/a.png"), fs)).isEqualTo(root);
        assertThatThrownBy(() -> InputPaths.base(new org.apache.hadoop.fs.Path(dir + "/missing"), fs))
                .isInstanceOf(FileNotFoundException.class);
    }

    @Test
    void outputNamesKeepTheRelativeDirectory() {
        assertThat(InputPaths.outputName("file:/data/val/aachen/x_leftImg8bit.png", "/data/val/", false))
                .isEqualTo("aachen/x_leftImg8bit");
        assertThat(InputPaths.outputName("file:/data/val/photo.png", "/data/val/", true)).isEqualTo("photo.png");
        assertThat(InputPaths.outputName("hdfs://nn:8020/data/val/photo.tar.png", "/data/val/", false))
                .isEqualTo("photo.tar");
        assertThat(InputPaths.outputName("file:/data/val/.hidden", "/data/val/", false)).isEqualTo(".hidden");
        assertThat(InputPaths.outputName("file:/elsewhere/p.png", "/data/val/", false)).isEqualTo("p");
        assertThat(InputPaths.outputName("file:/data/val/with space.png", "/data/val/", false))
                .isEqualTo("with space");
    }

    @Test
    void theImageFilterTakesTheCliExtensionsInBothCases() {
        assertThat(InputPaths.imageFilter()).startsWith("*.{").contains("png", "PNG", "jpeg", "JPEG");
    }
}
