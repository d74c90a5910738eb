package ai.dilation4j.runtime.nn.conv;

/**
 * The three matrices of Winograd's minimal filtering algorithm F(m, r) (Lavin and Gray, "Fast Algorithms for
 * Convolutional Neural Networks", 2016): {@code y = A^T [(G g) * (B^T d)]} computes {@code m} outputs of an
 * {@code r}-tap correlation from {@code alpha = m + r - 1} inputs with {@code alpha} multiplications instead of
 * {@code m * r}.
 *
 * <p>Derived here as the transpose of Toom-Cook polynomial multiplication at the points
 * {@code 0, 1, -1, 2, -2, 1/2, -1/2, ..., infinity}: with {@code E_n} the {@code alpha x n} evaluation matrix
 * (the infinity row picks the leading coefficient) and {@code V = E_alpha}, the correlation equals
 * {@code E_m^T diag(E_r g) V^-T d}; so {@code A^T = E_m^T}, {@code G = E_r}, {@code B^T = V^-T}. Computed in
 * double precision; small points keep the transforms' rounding error low (the reason for this point order).
 */
record WinogradTransforms(int m, int r, double[][] at, double[][] g, double[][] bt) {

    /** The finite points in the order the literature uses them; enough for alpha up to 10. */
    private static final double[] POINTS = {0, 1, -1, 2, -2, 0.5, -0.5, 3, -3};

    static WinogradTransforms of(int m, int r) {
        int alpha = m + r - 1;
        if (m < 1 || r < 1 || alpha - 1 > POINTS.length) {
            throw new IllegalArgumentException("no Winograd transform for F(" + m + ", " + r + ")");
        }
        double[][] vandermonde = evaluation(alpha, alpha);
        double[][] inverse = invert(vandermonde);
        double[][] bt = new double[alpha][alpha];
        for (int i = 0; i < alpha; i++) {
            for (int j = 0; j < alpha; j++) {
                bt[i][j] = inverse[j][i];
            }
        }
        double[][] outputEvaluation = evaluation(alpha, m);
        double[][] at = new double[m][alpha];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < alpha; j++) {
                at[i][j] = outputEvaluation[j][i];
            }
        }
        return new WinogradTransforms(m, r, at, evaluation(alpha, r), bt);
    }

    int alpha() {
        return m + r - 1;
    }

    /** {@code alpha x n}: row j holds the powers of point j; the last row stands for infinity. */
    private static double[][] evaluation(int alpha, int n) {
        double[][] rows = new double[alpha][n];
        for (int j = 0; j < alpha - 1; j++) {
            double power = 1;
            for (int k = 0; k < n; k++) {
                rows[j][k] = power;
                power *= POINTS[j];
            }
        }
        rows[alpha - 1][n - 1] = 1;
        return rows;
    }

    /** Gauss-Jordan elimination with partial pivoting; the matrices here are at most 10 x 10. */
    private static double[][] invert(double[][] matrix) {
        int n = matrix.length;
        double[][] work = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(matrix[i], 0, work[i], 0, n);
            work[i][n + i] = 1;
        }
        for (int column = 0; column < n; column++) {
            int pivot = column;
            for (int row = column + 1; row < n; row++) {
                if (Math.abs(work[row][column]) > Math.abs(work[pivot][column])) {
                    pivot = row;
                }
            }
            double[] swap = work[column];
            work[column] = work[pivot];
            work[pivot] = swap;
            double scale = work[column][column];
            for (int k = 0; k < 2 * n; k++) {
                work[column][k] /= scale;
            }
            for (int row = 0; row < n; row++) {
                double factor = work[row][column];
                if (row != column && factor != 0) {
                    for (int k = 0; k < 2 * n; k++) {
                        work[row][k] -= factor * work[column][k];
                    }
                }
            }
        }
        double[][] inverse = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(work[i], n, inverse[i], 0, n);
        }
        return inverse;
    }

    /** {@code P (x) Q}: applies {@code P} to rows and {@code Q} to columns of a row-major flattened tile. */
    static float[][] kronecker(double[][] p, double[][] q) {
        int rows = p.length * q.length;
        int columns = p[0].length * q[0].length;
        float[][] result = new float[rows][columns];
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < p[0].length; j++) {
                for (int k = 0; k < q.length; k++) {
                    for (int l = 0; l < q[0].length; l++) {
                        result[i * q.length + k][j * q[0].length + l] = (float) (p[i][j] * q[k][l]);
                    }
                }
            }
        }
        return result;
    }
}
