package ai.dilation4j.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.util.SerializableConfiguration;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;

import ai.dilation4j.runtime.DilationException;
import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.evaluate.ConfusionMatrix;
import ai.dilation4j.runtime.evaluate.LabelFormat;
import ai.dilation4j.runtime.evaluate.LabelImage;
import ai.dilation4j.runtime.evaluate.LabelReader;
import ai.dilation4j.runtime.image.ImageLimits;
import ai.dilation4j.runtime.model.Segmenter;
import ai.dilation4j.runtime.segment.ImageSegmenter;
import ai.dilation4j.runtime.segment.SegmentationResult;

/**
 * One task of the evaluate job: scores its images as the {@code evaluate} command does — the label read first, the
 * image segmented only if both have one size, every labelled pixel counted at image resolution — into one confusion
 * matrix for the partition. An image that cannot be scored is skipped and named, as the command does.
 * Rows: {@code (image path, image length, label path, label length)}.
 */
final class EvaluatePartition implements FlatMapFunction<Iterator<Row>, PartitionScore> {

    private static final long serialVersionUID = 1L;

    private final ShippedModel model;
    private final SerializableConfiguration hadoop;
    private final LabelFormat format;
    private final int classes;
    private final int ignored;
    private final ImageLimits limits;

    EvaluatePartition(ShippedModel model, SerializableConfiguration hadoop, LabelFormat format, int classes, int ignored,
                      ImageLimits limits) {
        this.model = model;
        this.hadoop = hadoop;
        this.format = format;
        this.classes = classes;
        this.ignored = ignored;
        this.limits = limits;
    }

    @Override
    public Iterator<PartitionScore> call(Iterator<Row> rows) throws Exception {
        Segmenter segmenter = ExecutorSegmenters.get(model);
        LabelReader reader = new LabelReader(format, limits);
        ConfusionMatrix matrix = new ConfusionMatrix(classes);
        long scored = 0;
        List<String> skipped = new ArrayList<>();
        while (rows.hasNext()) {
            Row row = rows.next();
            String image = row.getString(0);
            try {
                score(segmenter, reader, row, matrix);
                scored++;
            } catch (DilationException | IllegalArgumentException e) {
                skipped.add(image + ": " + e.getMessage());
            }
        }
        return List.of(new PartitionScore(matrix, scored, skipped)).iterator();
    }

    private void score(Segmenter segmenter, LabelReader reader, Row row, ConfusionMatrix matrix)
            throws DilationException, java.io.IOException {
        String image = row.getString(0);
        String label = row.getString(2);
        LabelImage truth = reader.read(label, ImageFiles.read(hadoop.value(), "Label image", label, row.getLong(3),
                limits.maxEncodedBytes()));
        byte[] bytes = ImageFiles.read(hadoop.value(), "Image", image, row.getLong(1), limits.maxEncodedBytes());
        try (ImageSegmenter.Prepared prepared = segmenter.prepare(image, bytes)) {
            truth.requireSize(label.toString(), image.toString(), prepared.image().width(), prepared.image().height());
            SegmentationResult result = segmenter.finish(segmenter.infer(prepared));
            matrix.add(truth, result.labels(), ignored);
        }
    }
}
