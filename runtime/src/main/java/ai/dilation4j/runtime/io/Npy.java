package ai.dilation4j.runtime.io;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.dilation4j.runtime.InvalidInputException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * NumPy {@code .npy} files of float32 (or float64, read as float32) arrays in C order: the exchange format
 * of Caffe/NumPy tooling for network inputs and intermediate blobs.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** Reads a little-endian float32 or float64 array in C order as a float32 INDArray. */
    public static INDArray read(Path file) throws InvalidInputException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 20))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new InvalidInputException(file + " is not a NumPy .npy file (bad magic bytes).");
            }
            int major = in.readUnsignedByte();
            in.readUnsignedByte();
            long headerLength = major == 1 ? Short.toUnsignedInt(Short.reverseBytes(in.readShort()))
                    : Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
            byte[] headerBytes = new byte[(int) headerLength];
            in.readFully(headerBytes);
            String header = new String(headerBytes, StandardCharsets.ISO_8859_1);
            String descr = group(DESCR, header, file);
            if ("True".equals(group(FORTRAN, header, file))) {
                throw new InvalidInputException(file + " is in Fortran order; save it in C order (np.ascontiguousarray).");
            }
            long[] shape = parseShape(group(SHAPE, header, file));
            long count = Arrays.stream(shape).reduce(1, Math::multiplyExact);
            int itemSize = switch (descr) {
                case "<f4" -> 4;
                case "<f8" -> 8;
                default -> throw new InvalidInputException(file + " holds dtype '" + descr
                        + "'; dilation4j reads little-endian float32 ('<f4') or float64 ('<f8') arrays.");
            };
            if (count * itemSize > Integer.MAX_VALUE) {
                throw new InvalidInputException(file + " holds " + count + " values, more than one array can take.");
            }
            float[] values = new float[(int) count];
            byte[] chunk = new byte[1 << 20];
            int filled = 0;
            while (filled < count) {
                int items = (int) Math.min(chunk.length / itemSize, count - filled);
                in.readFully(chunk, 0, items * itemSize);
                ByteBuffer buffer = ByteBuffer.wrap(chunk, 0, items * itemSize).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < items; i++) {
                    values[filled++] = itemSize == 4 ? buffer.getFloat() : (float) buffer.getDouble();
                }
            }
            return Nd4j.create(values, shape, 'c');
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("Input file " + file + " does not exist.", e);
        } catch (EOFException e) {
            throw new InvalidInputException(file + " is truncated: it ends before the data its header declares.", e);
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes a float32 array as {@code <f4}, C order, NumPy format 1.0; the file appears only when complete. */
    public static void write(INDArray array, Path file) throws IOException {
        INDArray data = array.dataType() == DataType.FLOAT ? array : array.castTo(DataType.FLOAT);
        long[] shape = data.shape();
        StringBuilder shapeText = new StringBuilder();
        for (long dim : shape) {
            shapeText.append(dim).append(", ");
        }
        if (shape.length > 1) {
            shapeText.setLength(shapeText.length() - 2);
        } else if (shape.length == 1) {
            shapeText.setLength(shapeText.length() - 1);
        }
        StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (")
                .append(shapeText).append("), }");
        int unpadded = MAGIC.length + 4 + header.length() + 1;
        header.append(" ".repeat((64 - unpadded % 64) % 64)).append('\n');

        AtomicFiles.write(file, out -> {
            out.write(MAGIC);
            out.write(1);
            out.write(0);
            out.write(header.length() & 0xff);
            out.write(header.length() >>> 8);
            out.write(header.toString().getBytes(StandardCharsets.ISO_8859_1));
            float[] values = data.dup('c').data().asFloat();
            ByteBuffer buffer = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (float value : values) {
                if (!buffer.hasRemaining()) {
                    out.write(buffer.array(), 0, buffer.position());
                    buffer.clear();
                }
                // -0.0 becomes +0.0 so files compare byte for byte with NumPy/Caffe dumps of ReLU outputs
                buffer.putFloat(value == 0.0f ? 0.0f : value);
            }
            out.write(buffer.array(), 0, buffer.position());
        });
    }

    private static String group(Pattern pattern, String header, Path file) throws InvalidInputException {
        Matcher matcher = pattern.matcher(header);
        if (!matcher.find()) {
            throw new InvalidInputException(file + " has a malformed .npy header: " + header.trim());
        }
        return matcher.group(1);
    }

    private static long[] parseShape(String text) {
        return Arrays.stream(text.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .mapToLong(s -> Long.parseLong(s.endsWith("L") ? s.substring(0, s.length() - 1) : s))
                .toArray();
    }
}
