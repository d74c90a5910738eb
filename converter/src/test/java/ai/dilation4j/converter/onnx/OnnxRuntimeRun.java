package ai.dilation4j.converter.onnx;

import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Runs an ONNX file in ONNX Runtime on one NCHW input: the independent check of what export writes. */
final class OnnxRuntimeRun {

    private OnnxRuntimeRun() {
    }

    static INDArray forward(Path onnx, INDArray input) throws OrtException {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = environment.createSession(onnx.toString(), options);
                 OnnxTensor tensor = OnnxTensor.createTensor(environment,
                         FloatBuffer.wrap(input.castTo(DataType.FLOAT).dup('c').data().asFloat()), input.shape());
                 OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), tensor))) {
                OnnxTensor output = (OnnxTensor) result.get(0);
                FloatBuffer values = output.getFloatBuffer();
                float[] copy = new float[values.remaining()];
                values.get(copy);
                return Nd4j.create(copy, output.getInfo().getShape(), 'c');
            }
        }
    }
}
