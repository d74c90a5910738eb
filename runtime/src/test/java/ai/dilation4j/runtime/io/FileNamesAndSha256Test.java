package ai.dilation4j.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;

import org.junit.jupiter.api.Test;

class FileNamesAndSha256Test {

    @Test
    void stemAndExtensionSplitAtTheLastDotOfTheFileNameOnly() {
        assertThat(FileNames.stem(Path.of("in.dir/dog.jpg"))).isEqualTo("dog");
        assertThat(FileNames.stem(Path.of("a.b.PNG"))).isEqualTo("a.b");
        assertThat(FileNames.extension(Path.of("a.b.PNG"))).isEqualTo("PNG");
        assertThat(FileNames.stem(Path.of("dir.d/README"))).isEqualTo("README");
        assertThat(FileNames.extension(Path.of("dir.d/README"))).isEmpty();
        assertThat(FileNames.stem(".hidden")).isEqualTo(".hidden");
        assertThat(FileNames.extension(Path.of(".hidden"))).isEmpty();
    }

    @Test
    void sha256IsLowercaseHexOfTheWholeInputAsSha256sumPrintsIt() {
        // FIPS 180-2 test vector
        assertThat(Sha256.of("abc".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        MessageDigest streamed = Sha256.newDigest();
        streamed.update("a".getBytes(StandardCharsets.US_ASCII));
        streamed.update("bc".getBytes(StandardCharsets.US_ASCII));
        assertThat(Sha256.hex(streamed)).isEqualTo(Sha256.of("abc".getBytes(StandardCharsets.US_ASCII)));
    }
}
