package ai.dilation4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HadoopOutputsTest {

    @TempDir
    Path dir;

    @Test
    void aFileAppearsOnlyWhenCompleteAndTheStagingAreaGoes() throws IOException {
        FileSystem fs = local(new RawLocalFileSystem());
        HadoopOutputs outputs = outputs(fs, "attempt-0", 0, HadoopOutputs.WriteObserver.NONE);

        outputs.write("a/b/photo_labels.png", out -> {
            assertThat(dir.resolve("out/a/b/photo_labels.png")).doesNotExist();
            out.write("labels".getBytes(StandardCharsets.UTF_8));
        });

        assertThat(dir.resolve("out/a/b/photo_labels.png")).hasContent("labels");
        HadoopOutputs.deleteAttempts(fs, new org.apache.hadoop.fs.Path(dir.resolve("out").toUri()));
        assertThat(files(dir.resolve("out"))).containsExactly(dir.resolve("out/a/b/photo_labels.png"));
    }

    @Test
    void aSecondAttemptOfTheSameTaskLeavesOneFileWhereRenameRefusesAnExistingTarget() throws IOException {
        FileSystem fs = local(new RenameNeverReplaces()); // HDFS's rename
        outputs(fs, "attempt-0", 0, HadoopOutputs.WriteObserver.NONE).write("x_labels.png", out -> out.write(1));
        outputs(fs, "attempt-1", 1, HadoopOutputs.WriteObserver.NONE).write("x_labels.png", out -> out.write(1));

        assertThat(files(dir.resolve("out"))).containsExactly(dir.resolve("out/x_labels.png"));
        assertThat(Files.readAllBytes(dir.resolve("out/x_labels.png"))).containsExactly(1);
    }

    @Test
    void anAttemptThatFailsWhileWritingPublishesNothing() throws IOException {
        FileSystem fs = local(new RawLocalFileSystem());
        HadoopOutputs outputs = outputs(fs, "attempt-0", 0, HadoopOutputs.WriteObserver.NONE);

        assertThatThrownBy(() -> outputs.write("x_labels.png", out -> {
            out.write(new byte[1000]);
            throw new IOException("the executor lost its disk");
        })).hasMessageContaining("lost its disk");

        assertThat(files(dir.resolve("out"))).isEmpty();
    }

    @Test
    void objectStoresAreWrittenInPlace() throws IOException {
        assertThat(HadoopOutputs.publishesOnClose(local(new RawLocalFileSystem()))).isFalse();
        FileSystem s3 = new RawLocalFileSystem() {
            @Override
            public java.net.URI getUri() {
                return java.net.URI.create("s3a://bucket/");
            }
        };
        assertThat(HadoopOutputs.publishesOnClose(s3)).isTrue();
    }

    private HadoopOutputs outputs(FileSystem fs, String attempt, int number, HadoopOutputs.WriteObserver observer) {
        return new HadoopOutputs(fs, new org.apache.hadoop.fs.Path(dir.resolve("out").toUri()), attempt, number,
                observer);
    }

    private static FileSystem local(RawLocalFileSystem fs) throws IOException {
        fs.initialize(java.net.URI.create("file:///"), new Configuration());
        return fs;
    }

    private static java.util.List<Path> files(Path root) throws IOException {
        if (!Files.exists(root)) {
            return java.util.List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    /** A local file system whose rename, as HDFS's, does not replace an existing file. */
    private static final class RenameNeverReplaces extends RawLocalFileSystem {
        @Override
        public boolean rename(org.apache.hadoop.fs.Path src, org.apache.hadoop.fs.Path dst) throws IOException {
            return !exists(dst) && super.rename(src, dst);
        }
    }
}
