package ai.dilation4j.train;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.ModelFileException;
import ai.dilation4j.runtime.ModelMetadata;
import ai.dilation4j.runtime.io.AtomicFiles;
import ai.dilation4j.runtime.io.Nd4jBinary;
import ai.dilation4j.runtime.model.ModelFile;

/**
 * A training checkpoint: an ordinary dilation4j model file (segment, evaluate and serve load it) with two more
 * entries, the trainer's {@link State} and the optimizer's state (the momentum of every trained parameter), so a
 * resumed run continues exactly where the checkpoint was taken. Written atomically.
 */
final class Checkpoint {

    static final String STATE_ENTRY = "dilation4j/training/state.json";
    static final String UPDATER_ENTRY = "dilation4j/training/updater.bin";
    static final int FORMAT_VERSION = 1;
    private static final int MAX_STATE_BYTES = 1 << 16;

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * What decides a run's course beside the weights: resuming takes these over from the checkpoint.
     *
     * @param iteration iterations done
     */
    record State(int formatVersion, int iteration, Freeze freeze, int batch, int crop, double learningRate,
                 int learningRateStep, long seed) {
    }

    private Checkpoint() {
    }

    static void write(ComputationGraph model, ModelMetadata metadata, State state, INDArray updaterState, Path target)
            throws ModelFileException {
        Map<String, AtomicFiles.ContentWriter> extra = new LinkedHashMap<>();
        extra.put(STATE_ENTRY, out -> out.write(JSON.writeValueAsBytes(state)));
        extra.put(UPDATER_ENTRY, out -> {
            DataOutputStream data = new DataOutputStream(new java.io.BufferedOutputStream(
                    new java.io.FilterOutputStream(out) {
                        @Override
                        public void close() {
                            // the zip entry stays open for the caller
                        }
                    }, 1 << 20));
            Nd4j.write(updaterState, data);
            data.flush();
        });
        ModelFile.write(model, metadata, target, extra);
    }

    /** The trainer's state in a checkpoint; the model itself is read with {@link ModelFile}. */
    static State readState(Path file) throws ModelFileException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            State state;
            try (InputStream in = zip.getInputStream(requireEntry(zip, STATE_ENTRY, file))) {
                state = JSON.readValue(in.readNBytes(MAX_STATE_BYTES), State.class);
            }
            if (state.formatVersion() > FORMAT_VERSION) {
                throw new ModelFileException("Checkpoint " + file + " was written by a newer dilation4j (training "
                        + "state format " + state.formatVersion() + "); upgrade dilation4j to resume it.");
            }
            return state;
        } catch (ModelFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw damaged(file, e);
        }
    }

    /** The optimizer state, which must hold {@code expectedLength} floats (checked before anything is allocated). */
    static INDArray readUpdaterState(Path file, long expectedLength) throws ModelFileException {
        try (ZipFile zip = new ZipFile(file.toFile());
             DataInputStream in = new DataInputStream(new BufferedInputStream(
                     zip.getInputStream(requireEntry(zip, UPDATER_ENTRY, file)), 1 << 20))) {
            Nd4jBinary.Header header = Nd4jBinary.readHeader(in);
            if (header.length() != expectedLength || !header.isFloat()) {
                throw new ModelFileException("Checkpoint " + file + " holds " + header.length() + " "
                        + header.dataType() + " optimizer values but this run trains " + expectedLength
                        + " float ones; the checkpoint is damaged.");
            }
            return Nd4jBinary.readFloatData(in, header);
        } catch (ModelFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw damaged(file, e);
        }
    }

    private static ZipEntry requireEntry(ZipFile zip, String name, Path file) throws ModelFileException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            throw new ModelFileException(file + " is a model file without training state, not a checkpoint written "
                    + "by `dilation4j train`; start a new run from it with --model instead of --resume.");
        }
        return entry;
    }

    private static ModelFileException damaged(Path file, Exception e) {
        return new ModelFileException("Cannot read the training state of checkpoint " + file + " (" + e.getMessage()
                + "); it is damaged. Resume from an earlier checkpoint or start again.", e);
    }
}
