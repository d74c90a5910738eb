package ai.dilation4j.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.InvalidInputException;

class NpyTest {

    @TempDir
    Path dir;

    @Test
    void roundTripKeepsShapeAndValuesAndWritesNumpyHeader() throws Exception {
        INDArray array = Nd4j.linspace(-3, 4, 2 * 3 * 5 * 7, DataType.FLOAT).reshape(2, 3, 5, 7);
        Path file = dir.resolve("a.npy");
        Npy.write(array, file);
        byte[] bytes = Files.readAllBytes(file);
        String header = new String(bytes, 10, 70, StandardCharsets.ISO_8859_1);
        assertThat(header).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 5, 7), }");
        assertThat((10 + (bytes[8] & 0xff) + ((bytes[9] & 0xff) << 8)) % 64).as("data is 64-byte aligned").isZero();
        assertThat(Npy.read(file)).isEqualTo(array);
    }

    @Test
    void negativeZeroIsWrittenAsPositiveZero() throws Exception {
        Path file = dir.resolve("z.npy");
        Npy.write(Nd4j.createFromArray(-0.0f, 1f), file);
        byte[] bytes = Files.readAllBytes(file);
        int data = bytes.length - 8;
        assertThat(ByteBuffer.wrap(bytes, data, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()).isZero();
    }

    @Test
    void readsFloat64AsFloat32() throws Exception {
        String header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
        header = header + " ".repeat(128 - 10 - header.length() - 1) + "\n";
        ByteBuffer buffer = ByteBuffer.allocate(128 + 24).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        buffer.putShort((short) header.length()).put(header.getBytes(StandardCharsets.ISO_8859_1));
        buffer.putDouble(1.5).putDouble(-2).putDouble(3.25);
        Path file = Files.write(dir.resolve("d.npy"), buffer.array());
        assertThat(Npy.read(file).toFloatVector()).containsExactly(1.5f, -2f, 3.25f);
    }

    @Test
    void rejectsOtherDtypesAndFortranOrder() throws Exception {
        Path ints = dir.resolve("i.npy");
        Npy.write(Nd4j.zeros(DataType.FLOAT, 2), ints);
        byte[] bytes = Files.readAllBytes(ints);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        Files.write(ints, text.replace("<f4", "<i4").getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> Npy.read(ints)).isInstanceOf(InvalidInputException.class).hasMessageContaining("'<i4'");
        Files.write(ints, text.replace("False", "True ").getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> Npy.read(ints)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("Fortran order");
    }

    @Test
    void headerClaimingMoreDataThanTheFileHoldsIsRefusedBeforeAllocating() throws Exception {
        // 69 bytes whose header claims 2 GB of float32 values
        Path claims = Files.write(dir.resolve("claims.npy"), npy("<f4", "536870911,"));
        assertThat(Files.size(claims)).isLessThan(100);
        assertRefused(claims, "claims.npy is truncated", "shape (536870911,)", "2147483644 bytes of data",
                "0 after the header");

        Path header = dir.resolve("header.npy");
        Files.write(header, new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, -1, -1, -1, -1});
        assertRefused(header, "header.npy", "header of 4294967295 bytes");
    }

    @Test
    void emptyNegativeAndOverflowingShapesAreRefusedNamingFileAndShape() throws Exception {
        assertRefused(Files.write(dir.resolve("batch0.npy"), npy("<f4", "0, 3, 9, 11")),
                "batch0.npy holds an empty array", "(0, 3, 9, 11)");
        assertRefused(Files.write(dir.resolve("negative.npy"), npy("<f4", "1, -3, 9, 11")),
                "negative.npy", "(1, -3, 9, 11)", "dimension 1 ('-3') is not a size");
        assertRefused(Files.write(dir.resolve("overflow.npy"),
                        npy("<f8", "4294967296, 4294967296, 3")),
                "overflow.npy", "4294967296 x 4294967296 x 3 = more than", "more than the 2147483647");
        assertRefused(Files.write(dir.resolve("rank.npy"), npy("<f4", "1, ".repeat(33))), "rank.npy", "33 dimensions");
    }

    /** A version 1.0 .npy file whose header declares this dtype and shape, without any data. */
    private static byte[] npy(String descr, String shape) {
        String header = "{'descr':'" + descr + "','fortran_order':False,'shape':(" + shape + ")}";
        byte[] text = (header + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer buffer = ByteBuffer.allocate(10 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        buffer.putShort((short) text.length).put(text);
        return buffer.array();
    }

    private static void assertRefused(Path file, String... messageParts) {
        assertThatThrownBy(() -> Npy.read(file)).isInstanceOf(InvalidInputException.class)
                .hasMessageContainingAll(messageParts)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
