package ai.dilation4j.cli;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import ai.dilation4j.converter.onnx.OnnxExportOptions;
import ai.dilation4j.converter.onnx.OnnxExporter;
import ai.dilation4j.runtime.DilationException;
import ai.dilation4j.runtime.model.SegmentationModel;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ONNX Runtime for Java (CPU execution provider) on our model exported as ONNX for the input size benchmarked:
 * {@code threads} intra-op threads, one inter-op thread, sequential execution, every graph optimization, as a
 * latency-minded ORT user configures a session.
 */
final class OnnxRuntimePeer implements PeerEngine {

    private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String inputName;
    private final double exportMs;

    /** Exports the model to a temporary ONNX file (deleted once ORT has read it) and opens a session on it. */
    OnnxRuntimePeer(SegmentationModel model, long[] inputShape, int threads) throws DilationException {
        long started = System.nanoTime();
        Path file = null;
        try {
            file = Files.createTempFile("dilation4j-bench-", ".onnx");
            new OnnxExporter(OnnxExportOptions.builder().inputSize(inputShape[2], inputShape[3]).build())
                    .export(model, file);
            this.exportMs = (System.nanoTime() - started) / 1e6;
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(threads);
                options.setInterOpNumThreads(1);
                options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                this.session = environment.createSession(file.toString(), options);
            }
            this.inputName = session.getInputNames().iterator().next();
        } catch (OrtException e) {
            throw new DilationException("ONNX Runtime " + environment.getVersion() + " cannot load the exported model: "
                    + e.getMessage(), e);
        } catch (java.io.IOException e) {
            throw new DilationException("Cannot write the temporary ONNX file for ONNX Runtime: " + e.getMessage(), e);
        } finally {
            deleteQuietly(file);
        }
    }

    /** How long writing the ONNX file took, which the load time (session creation) does not include. */
    double exportMs() {
        return exportMs;
    }

    @Override
    public String name() {
        return "onnxruntime";
    }

    @Override
    public INDArray forward(INDArray input, String outputBlob) {
        float[] values = input.castTo(DataType.FLOAT).dup('c').data().asFloat();
        try (OnnxTensor tensor = OnnxTensor.createTensor(environment, FloatBuffer.wrap(values), input.shape());
             OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
            OnnxTensor output = (OnnxTensor) result.get(0);
            FloatBuffer buffer = output.getFloatBuffer();
            float[] copy = new float[buffer.remaining()];
            buffer.get(copy);
            return Nd4j.create(copy, output.getInfo().getShape(), 'c');
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to run the exported model: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed to close its session: " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (java.io.IOException e) {
            // a temporary file left behind is harmless
        }
    }
}
