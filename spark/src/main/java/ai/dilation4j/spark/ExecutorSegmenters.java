package ai.dilation4j.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ai.dilation4j.runtime.DilationException;
import ai.dilation4j.runtime.ModelFileException;
import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.runtime.model.Segmenter;
import ai.dilation4j.runtime.model.SegmenterOptions;

/**
 * The one {@link Segmenter} of each executor JVM per shipped model: loaded by the first task that needs it, shared by
 * every later task and job of that JVM, never loaded per task or per row. The weights are in memory once; the
 * segmenter keeps one graph (one forward pass's working memory) per task the executor runs at once.
 *
 * <p>This is the one piece of process-wide state in dilation4j, and it has to be: Spark gives a JVM no other place
 * for something that outlives a task. Models stay loaded until the JVM exits, as executors' broadcast variables do.
 */
final class ExecutorSegmenters {

    private static final Logger LOG = LoggerFactory.getLogger(ExecutorSegmenters.class);
    private static final Pattern LOCAL_MASTER = Pattern.compile("local\\[(\\*|\\d+)(,\\d+)?]");
    private static final Map<ShippedModel, Loaded> LOADED = new ConcurrentHashMap<>();

    private record Loaded(SegmentationModel model, Segmenter segmenter) {
    }

    private ExecutorSegmenters() {
    }

    /** The segmenter of this JVM for {@code shipped}, loading the model on first use. */
    static Segmenter get(ShippedModel shipped) throws DilationException, java.io.IOException {
        Loaded loaded = LOADED.get(shipped);
        if (loaded != null) {
            return loaded.segmenter();
        }
        synchronized (LOADED) {
            loaded = LOADED.get(shipped);
            if (loaded == null) {
                loaded = load(shipped);
                LOADED.put(shipped, loaded);
            }
            return loaded.segmenter();
        }
    }

    /** How the segmenters this JVM holds run (graphs, native threads), for logs and tests. */
    static java.util.List<SegmenterOptions> loadedOptions() {
        return LOADED.values().stream().map(loaded -> loaded.segmenter().options()).toList();
    }

    private static Loaded load(ShippedModel shipped) throws DilationException, java.io.IOException {
        Path file = Path.of(SparkFiles.get(shipped.fileName()));
        if (!Files.isRegularFile(file)) {
            throw new ModelFileException("Model file " + shipped.fileName() + " was not shipped to this executor ("
                    + file + " is missing); run the job through dilation4j-spark's driver, which adds it.");
        }
        if (Files.size(file) != shipped.bytes()) {
            throw new ModelFileException("Model file " + shipped.fileName() + " changed after this Spark application "
                    + "shipped it (" + Files.size(file) + " bytes here, " + shipped.bytes() + " on the driver); Spark "
                    + "ships a file once per application: start a new one, or give the new model another name.");
        }
        SparkConf conf = SparkEnv.get().conf();
        int taskCpus = conf.getInt("spark.task.cpus", 1);
        int concurrentTasks = Math.max(1, executorCores(conf) / taskCpus);
        int nativeThreads = shipped.threadsPerTask() > 0 ? shipped.threadsPerTask() : taskCpus;
        long started = System.nanoTime();
        SegmentationModel model = SegmentationModel.load(file);
        try {
            Segmenter segmenter = model.segmenter(SegmenterOptions.builder().threads(concurrentTasks)
                    .nativeThreads(nativeThreads).build());
            LOG.info("Loaded {} in {} ms: {} forward passes at once, {} native threads each", shipped.modelName(),
                    (System.nanoTime() - started) / 1_000_000, concurrentTasks, nativeThreads);
            return new Loaded(model, segmenter);
        } catch (DilationException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * How many tasks this executor runs at once times their cores: {@code spark.executor.cores}, the N of a
     * {@code local[N]} master, or (standalone's default, and {@code local[*]}) the machine's processors.
     */
    static int executorCores(SparkConf conf) {
        if (conf.contains("spark.executor.cores") && !isLocal(conf)) {
            return conf.getInt("spark.executor.cores", 1);
        }
        String master = conf.get("spark.master", "local[*]").trim().toLowerCase(Locale.ROOT);
        if (master.equals("local")) {
            return 1;
        }
        Matcher local = LOCAL_MASTER.matcher(master);
        if (local.matches() && !local.group(1).equals("*")) {
            return Integer.parseInt(local.group(1));
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static boolean isLocal(SparkConf conf) {
        return conf.get("spark.master", "").startsWith("local");
    }
}
