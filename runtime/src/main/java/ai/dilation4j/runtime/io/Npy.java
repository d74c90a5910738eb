package ai.dilation4j.runtime.io;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
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
    /** NumPy refuses headers over 10,000 bytes unless told otherwise; real ones are 128 bytes or so. */
    private static final int MAX_HEADER_BYTES = 1 << 16;
    private static final int MAX_RANK = 32;

    private Npy() {
    }

    /**
     * Reads a little-endian float32 or float64 array in C order as a float32 INDArray. The header is checked
     * first (its length, the shape, and the data it declares against the file's size), so a hostile header
     * costs a message, not an allocation.
     */
    public static INDArray read(Path file) throws InvalidInputException {
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 20))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new InvalidInputException(file + " is not a NumPy .npy file (bad magic bytes).");
            }
            int major = in.readUnsignedByte();
            int minor = in.readUnsignedByte();
            if (major < 1 || major > 3) {
                throw new InvalidInputException(file + " is a .npy file of format version " + major + "." + minor
                        + ", which dilation4j does not know (it reads 1.0 to 3.0); save it with NumPy's np.save.");
            }
            long headerLength = major == 1 ? Short.toUnsignedInt(Short.reverseBytes(in.readShort()))
                    : Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
            if (headerLength > MAX_HEADER_BYTES) {
                throw new InvalidInputException(file + " declares a .npy header of " + headerLength + " bytes, more "
                        + "than the " + MAX_HEADER_BYTES + " any array's header needs; the file is damaged.");
            }
            byte[] headerBytes = new byte[(int) headerLength];
            in.readFully(headerBytes);
            String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            String descr = group(DESCR, header, file);
            if ("True".equals(group(FORTRAN, header, file))) {
                throw new InvalidInputException(file + " is in Fortran order; save it in C order (np.ascontiguousarray).");
            }
            String shapeText = group(SHAPE, header, file);
            long[] shape = parseShape(shapeText, file);
            int itemSize = switch (descr) {
                case "<f4" -> 4;
                case "<f8" -> 8;
                default -> throw new InvalidInputException(file + " holds dtype '" + descr
                        + "'; dilation4j reads little-endian float32 ('<f4') or float64 ('<f8') arrays.");
            };
            long count = ArraySizes.saturatedProduct(shape);
            if (count == 0) {
                throw new InvalidInputException(file + " holds an empty array (shape (" + shapeText.trim()
                        + ")); every dimension needs at least one value.");
            }
            if (count > ArraySizes.MAX_ELEMENTS) {
                throw new InvalidInputException(file + " declares shape (" + shapeText.trim() + "), "
                        + ArraySizes.describe(shape) + ", more than the " + ArraySizes.MAX_ELEMENTS
                        + " one array can hold.");
            }
            long dataOffset = MAGIC.length + 2L + (major == 1 ? 2 : 4) + headerLength;
            long dataBytes = count * itemSize;
            if (Files.isRegularFile(file) && Files.size(file) - dataOffset < dataBytes) {
                throw new InvalidInputException(file + " is truncated: its header declares shape (" + shapeText.trim()
                        + ") of '" + descr + "', " + dataBytes + " bytes of data, but the file has "
                        + Math.max(0, Files.size(file) - dataOffset) + " after the header.");
            }
            INDArray array = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
            NativeFloats.fill(array, in, ByteOrder.LITTLE_ENDIAN, itemSize);
            return array;
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
        AtomicFiles.write(file, out -> write(array, out));
    }

    /** Writes a float32 array as {@code <f4}, C order, NumPy format 1.0 to {@code out} (left open). */
    public static void write(INDArray array, OutputStream out) throws IOException {
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
    }

    private static String group(Pattern pattern, String header, Path file) throws InvalidInputException {
        Matcher matcher = pattern.matcher(header);
        if (!matcher.find()) {
            throw new InvalidInputException(file + " has a malformed .npy header: " + header.trim());
        }
        return matcher.group(1);
    }

    /** The dimensions of a NumPy shape tuple; each must be a non-negative integer. */
    private static long[] parseShape(String text, Path file) throws InvalidInputException {
        String[] parts = Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .toArray(String[]::new);
        if (parts.length > MAX_RANK) {
            throw new InvalidInputException(file + " declares an array of " + parts.length + " dimensions; ND4J "
                    + "takes at most " + MAX_RANK + ".");
        }
        long[] shape = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String digits = parts[i].endsWith("L") ? parts[i].substring(0, parts[i].length() - 1) : parts[i];
            try {
                shape[i] = Long.parseLong(digits);
            } catch (NumberFormatException e) {
                shape[i] = -1;
            }
            if (shape[i] < 0) {
                throw new InvalidInputException(file + " declares shape (" + text.trim() + "), whose dimension "
                        + i + " ('" + parts[i] + "') is not a size; the file is damaged.");
            }
        }
        return shape;
    }
}
