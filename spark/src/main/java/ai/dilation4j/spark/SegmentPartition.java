package ai.dilation4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.util.SerializableConfiguration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;

import ai.dilation4j.runtime.DilationException;
import ai.dilation4j.runtime.image.ImageLimits;
import ai.dilation4j.runtime.model.Segmenter;
import ai.dilation4j.runtime.output.OutputKind;
import ai.dilation4j.runtime.output.SegmentationSummary;
import ai.dilation4j.runtime.segment.ImageSegmenter;
import ai.dilation4j.runtime.segment.SegmentationResult;

/**
 * One task of the segment job: segments the images of its partition one after another with the executor's
 * {@link Segmenter}, writes each image's files and returns its JSON line: the {@code segment} command's line with
 * {@code status} {@code ok}, or {@code failed} and the {@code error} for an image that could not be segmented.
 * Rows are {@code (path, length)} from the {@code binaryFile} listing; the task reads each file itself, within the
 * byte limit, so a huge file is a failed row and no partition's images are all in memory at once.
 */
final class SegmentPartition implements MapPartitionsFunction<Row, String>, Serializable {

    private static final long serialVersionUID = 1L;

    private final ShippedModel model;
    private final SerializableConfiguration hadoop;
    private final String outputRoot;
    private final String inputBase;
    private final Set<String> sharedStems;
    private final List<OutputKind> outputs;
    private final ImageLimits limits;
    private final LongAccumulator segmented;
    private final LongAccumulator failed;
    private final HadoopOutputs.WriteObserver observer;

    SegmentPartition(ShippedModel model, SerializableConfiguration hadoop, String outputRoot, String inputBase,
                     Set<String> sharedStems, List<OutputKind> outputs, ImageLimits limits, LongAccumulator segmented,
                     LongAccumulator failed, HadoopOutputs.WriteObserver observer) {
        this.model = model;
        this.hadoop = hadoop;
        this.outputRoot = outputRoot;
        this.inputBase = inputBase;
        this.sharedStems = sharedStems;
        this.outputs = outputs;
        this.limits = limits;
        this.segmented = segmented;
        this.failed = failed;
        this.observer = observer;
    }

    @Override
    public Iterator<String> call(Iterator<Row> rows) throws Exception {
        Segmenter segmenter = ExecutorSegmenters.get(model);
        TaskContext task = TaskContext.get();
        Path root = new Path(outputRoot);
        FileSystem fs = root.getFileSystem(hadoop.value());
        HadoopOutputs files = new HadoopOutputs(fs, root, HadoopOutputs.attemptName(task), task.attemptNumber(),
                observer);
        ObjectMapper json = new ObjectMapper();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public String next() {
                Row row = rows.next();
                try {
                    return json.writeValueAsString(segment(segmenter, files, row.getString(0), row.getLong(1)));
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("cannot write a JSON line", e);
                } catch (IOException e) {
                    // the file system failed, not the image: the task fails and Spark retries it
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    private Map<String, Object> segment(Segmenter segmenter, HadoopOutputs files, String image, long length)
            throws IOException {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("image", image);
        ImageSegmenter.Prepared prepared;
        SegmentationResult result;
        try {
            byte[] bytes = ImageFiles.read(hadoop.value(), "Image", image, length, limits.maxEncodedBytes());
            prepared = segmenter.prepare(image, bytes);
            try {
                result = segmenter.finish(segmenter.infer(prepared));
            } catch (DilationException | RuntimeException e) {
                prepared.close();
                throw e;
            }
        } catch (DilationException | RuntimeException e) {
            failed.add(1);
            line.put("status", "failed");
            line.put("error", e.getMessage());
            return line;
        }
        try (ImageSegmenter.Prepared owned = prepared) {
            long start = System.nanoTime();
            String stemKey = InputPaths.stemKey(image, inputBase);
            String name = InputPaths.outputName(image, inputBase, sharedStems.contains(stemKey));
            Map<String, String> written = new LinkedHashMap<>();
            for (OutputKind kind : outputs) {
                SegmentationResult finished = result;
                Path file = files.write(name + kind.suffix(),
                        out -> kind.writeTo(finished, owned.image().bgr(), out));
                written.put(kind.id(), file.toString());
            }
            result = result.withTiming("write", (System.nanoTime() - start) / 1e6);
            segmented.add(1);
            line.put("status", "ok");
            line.putAll(SegmentationSummary.of(result));
            line.put("outputs", written);
            return line;
        }
    }
}
