package ai.dilation4j.train.data;

import java.util.SplittableRandom;

import org.nd4j.linalg.api.ndarray.INDArray;

import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.evaluate.LabelImage;
import ai.dilation4j.runtime.segment.TileExtractor;

/**
 * fyu/dilation's training samples (caffe-dilation's {@code ImageLabelData} layer with {@code train.py}'s settings):
 * the image minus the dataset mean, reflect-101 padded by the label margin (predict.py's preprocessing, from the
 * runtime's {@link TileExtractor}), its label padded with {@link LabelledDataset#IGNORE}; both padded further, centred,
 * to at least the crop size when smaller; a crop at a uniformly random offset, mirrored left-right with probability
 * 1/2; and the labels sliced to the network output: the label at crop-relative row {@code margin + zoom * j},
 * column {@code margin + zoom * i} for output pixel (j, i).
 *
 * <p>caffe-dilation's centring pad passes left and right swapped to OpenCV (it pads {@code right} pixels on the
 * left); this pads the wider side on the right, which only differs for odd widths.
 */
public final class CropSampler {

    /** One crop: {@code 3 x crop x crop} floats (channel-major, BGR) and {@code outputSize²} labels (row-major). */
    public record Sample(float[] image, int[] labels) {
    }

    private final DatasetSpec dataset;
    private final int crop;
    private final int outputSize;

    /** @throws InvalidInputException if the crop does not keep the output grid aligned */
    public CropSampler(DatasetSpec dataset, int crop) throws InvalidInputException {
        this.dataset = dataset;
        this.crop = crop;
        int margin = dataset.labelMargin();
        int zoom = dataset.zoom();
        int inner = crop - 2 * margin;
        if (inner < zoom || inner % zoom != 0) {
            int smallest = 2 * margin + zoom;
            throw new InvalidInputException("Crop size " + crop + " does not fit the model: with its label margin "
                    + margin + " and zoom " + zoom + " the crop minus twice the margin must be a positive multiple of "
                    + zoom + " (e.g. " + smallest + ", " + (smallest + zoom) + ", ..., "
                    + (2 * margin + zoom * Math.max(1, Math.round((crop - 2 * margin) / (double) zoom))) + ").");
        }
        this.outputSize = inner / zoom;
    }

    public int crop() {
        return crop;
    }

    /** Rows (and columns) of the labels of a crop: the network output's size for a crop-size input. */
    public int outputSize() {
        return outputSize;
    }

    /** Draws one crop of an example (mirror first, then the row and column offsets, as caffe-dilation does). */
    public Sample sample(LabelledDataset.Example example, SplittableRandom random) {
        int margin = dataset.labelMargin();
        int height = example.image().height();
        int width = example.image().width();
        int paddedHeight = height + 2 * margin;
        int paddedWidth = width + 2 * margin;
        float[] padded;
        try (TileExtractor whole = new TileExtractor(example.image(), dataset, paddedHeight, paddedWidth)) {
            INDArray tile = whole.tile(0, 0);
            padded = tile.data().asFloat();
            tile.close();
        }
        // The frame the crop is taken from: the padded image, centred in at least crop x crop.
        int frameHeight = Math.max(paddedHeight, crop);
        int frameWidth = Math.max(paddedWidth, crop);
        int extraTop = (frameHeight - paddedHeight) / 2;
        int extraLeft = (frameWidth - paddedWidth) / 2;

        boolean mirror = random.nextInt(2) == 1;
        int top = random.nextInt(frameHeight - crop + 1);
        int left = random.nextInt(frameWidth - crop + 1);

        int[] sourceRow = new int[crop];
        int[] sourceColumn = new int[crop];
        for (int y = 0; y < crop; y++) {
            sourceRow[y] = top + y - extraTop;
        }
        for (int x = 0; x < crop; x++) {
            sourceColumn[x] = (mirror ? left + crop - 1 - x : left + x) - extraLeft;
        }

        float[] image = new float[3 * crop * crop];
        int plane = paddedHeight * paddedWidth;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < crop; y++) {
                int rowStart = c * plane + reflect101(sourceRow[y], paddedHeight) * paddedWidth;
                int out = (c * crop + y) * crop;
                for (int x = 0; x < crop; x++) {
                    image[out + x] = padded[rowStart + reflect101(sourceColumn[x], paddedWidth)];
                }
            }
        }

        int[] truth = example.label().values();
        int zoom = dataset.zoom();
        int[] labels = new int[outputSize * outputSize];
        for (int j = 0; j < outputSize; j++) {
            int labelRow = sourceRow[margin + zoom * j] - margin;
            for (int i = 0; i < outputSize; i++) {
                int labelColumn = sourceColumn[margin + zoom * i] - margin;
                boolean inside = labelRow >= 0 && labelRow < height && labelColumn >= 0 && labelColumn < width;
                labels[j * outputSize + i] = inside ? truth[labelRow * width + labelColumn] : LabelledDataset.IGNORE;
            }
        }
        return new Sample(image, labels);
    }

    /** OpenCV's BORDER_REFLECT_101 index (gfedcb|abcdefgh|gfedcba), back and forth for far indices. */
    static int reflect101(int index, int length) {
        if (length == 1) {
            return 0;
        }
        int period = 2 * (length - 1);
        int i = Math.floorMod(index, period);
        return i < length ? i : period - i;
    }
}
