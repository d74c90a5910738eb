package ai.dilation4j.runtime.io;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Element counts of arrays described by untrusted files (prototxts, model files, {@code .npy} headers), computed
 * without overflow and checked against what one array can hold before anything is allocated.
 */
public final class ArraySizes {

    /**
     * The most elements one array can have here: ND4J's int-indexed kernels, OpenCV's {@code Mat} and Java arrays
     * and NIO buffers all index with 32-bit signed integers.
     */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE;

    private ArraySizes() {
    }

    /**
     * The product of the dimensions, or {@link Long#MAX_VALUE} when it does not fit a long, so that a comparison
     * with a limit never sees a wrapped-around small value. Dimensions must not be negative.
     */
    public static long saturatedProduct(long... dims) {
        long product = 1;
        for (long dim : dims) {
            if (dim < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
            }
            if (dim != 0 && product > Long.MAX_VALUE / dim) {
                // a later zero dimension still makes the array empty
                return Arrays.stream(dims).anyMatch(d -> d == 0) ? 0 : Long.MAX_VALUE;
            }
            product *= dim;
        }
        return product;
    }

    /** Whether an array of these (non-negative) dimensions has at most {@link #MAX_ELEMENTS} elements. */
    public static boolean fitsOneArray(long... dims) {
        return saturatedProduct(dims) <= MAX_ELEMENTS;
    }

    /** {@code "1 x 3 x 900 x 900 = 2430000 values"}, or {@code "... = more than 9223372036854775807 values"}. */
    public static String describe(long... dims) {
        long count = saturatedProduct(dims);
        return Arrays.stream(dims).mapToObj(Long::toString).collect(Collectors.joining(" x ")) + " = "
                + (count == Long.MAX_VALUE ? "more than " + Long.MAX_VALUE : Long.toString(count)) + " values";
    }
}
