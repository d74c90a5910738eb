package ai.dilation4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.models.ModelZoo;
import ai.dilation4j.runtime.ModelFileException;
import ai.dilation4j.runtime.evaluate.LabelFormat;
import ai.dilation4j.runtime.output.OutputKind;
import ai.dilation4j.runtime.testing.SyntheticImages;
import ai.dilation4j.runtime.testing.TinyNetworks;

/**
 * The Spark jobs on a {@code local[2]} master (two tasks at once, a failed task tried up to three times) against
 * the CLI run on the same images: the same files byte for byte, the same scores.
 */
class SparkJobsTest {

    /** Failures the injected fault has thrown; the executors are threads of this JVM in local mode. */
    static final AtomicInteger INJECTED_FAILURES = new AtomicInteger();

    @TempDir
    static Path shared;

    static SparkSession spark;
    static Path model;
    static Path images;
    static ModelZoo zoo;

    @BeforeAll
    static void start() throws Exception {
        Path caffe = Files.createDirectories(shared.resolve("caffe"));
        Path prototxt = Files.writeString(caffe.resolve("tiny_deploy.prototxt"), TinyNetworks.PASCAL_VOC);
        CliJar.ok(shared, "random-weights", "--prototxt", prototxt.toString(), "-o",
                caffe.resolve("tiny.caffemodel").toString(), "--seed", "5");
        model = shared.resolve("tiny.zip");
        CliJar.ok(shared, "convert", "--prototxt", prototxt.toString(), "--weights",
                caffe.resolve("tiny.caffemodel").toString(), "--preset", "pascal_voc", "-o", model.toString());
        images = Files.createDirectories(shared.resolve("images"));
        int[][] sizes = {{60, 80}, {97, 41}, {120, 130}, {33, 200}, {75, 75}};
        for (int i = 0; i < sizes.length; i++) {
            SyntheticImages.scene(images.resolve("scene" + i + ".png"), sizes[i][0], sizes[i][1], 17 * i + 3);
        }
        zoo = ModelZoo.builder().offline(true).cache(shared.resolve("cache")).build();
        spark = SparkSession.builder().master("local[2,3]").appName("dilation4j tests")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void segmentWritesTheCliFilesAndOneLinePerImage(@TempDir Path dir) throws Exception {
        Path input = copyOf(images, dir.resolve("input"));
        Files.write(input.resolve("broken.png"), "not an image at all".getBytes());
        Path cliOut = dir.resolve("cli");
        CliJar.run(dir, "segment", "--model", model.toString(), "--output", "color,labels,prob", "-o",
                cliOut.toString(), "--json", dir.resolve("cli.jsonl").toString(), input.toString());
        Path sparkOut = dir.resolve("spark");

        SparkSegmentation.Summary summary = SparkSegmentation.run(spark, options(input, sparkOut).build(), zoo);

        assertThat(summary.images()).isEqualTo(6);
        assertThat(summary.segmented()).isEqualTo(5);
        assertThat(summary.failed()).isEqualTo(1);
        assertSameFiles(cliOut, sparkOut);
        Map<String, JsonNode> rows = rows(sparkOut);
        assertThat(rows).hasSize(6);
        JsonNode broken = rows.get("input/broken.png");
        assertThat(broken.get("status").asText()).isEqualTo("failed");
        assertThat(broken.get("error").asText()).contains("broken.png");
        Map<String, JsonNode> cliRows = new TreeMap<>();
        for (String line : Files.readAllLines(dir.resolve("cli.jsonl"))) {
            JsonNode node = new ObjectMapper().readTree(line);
            cliRows.put(Path.of(node.get("image").asText()).getFileName().toString(), node);
        }
        for (int i = 0; i < 5; i++) {
            JsonNode row = rows.get("input/scene" + i + ".png");
            JsonNode cli = cliRows.get("scene" + i + ".png");
            assertThat(row.get("status").asText()).isEqualTo("ok");
            for (String field : List.of("width", "height", "tiles", "class_fractions")) {
                assertThat(row.get(field)).as(field).isEqualTo(cli.get(field));
            }
            assertThat(row.get("outputs").get("labels").asText()).endsWith("/spark/scene" + i + "_labels.png");
        }
        assertThat(sparkOut.resolve(SparkSegmentation.SUCCESS)).exists();
        assertThat(sparkOut.resolve("results").resolve("_SUCCESS")).exists();
        assertThat(sparkOut.resolve(HadoopOutputs.ATTEMPTS_DIRECTORY)).doesNotExist();
    }

    @Test
    void aTaskThatFailsMidWayIsRetriedWithoutDuplicateOrPartialFiles(@TempDir Path dir) throws Exception {
        Path input = copyOf(images, dir.resolve("input"));
        Path cliOut = dir.resolve("cli");
        CliJar.ok(dir, "segment", "--model", model.toString(), "--output", "color,labels", "-o", cliOut.toString(),
                "--json", dir.resolve("cli.jsonl").toString(), input.toString());
        Path sparkOut = dir.resolve("spark");
        INJECTED_FAILURES.set(0);
        // The first attempt of the task that writes scene2's color file dies as it starts writing it, after the
        // task's earlier images (and scene2's labels, written first in this order) were published.
        HadoopOutputs.WriteObserver fault = (file, attempt) -> {
            if (attempt == 0 && file.getName().equals("scene2_color.png")) {
                INJECTED_FAILURES.incrementAndGet();
                throw new IOException("injected failure while writing " + file);
            }
        };

        SparkSegmentation.Summary summary = SparkSegmentation.run(spark, options(input, sparkOut)
                .outputKinds(List.of(OutputKind.LABELS, OutputKind.COLOR)).imagesPerTask(2).writeObserver(fault)
                .build(), zoo);

        assertThat(INJECTED_FAILURES.get()).isEqualTo(1);
        assertThat(summary.segmented()).isEqualTo(5);
        assertSameFiles(cliOut, sparkOut);
        assertThat(rows(sparkOut)).hasSize(5);
        assertThat(sparkOut.resolve(HadoopOutputs.ATTEMPTS_DIRECTORY)).doesNotExist();
    }

    @Test
    void eachTaskRunsItsForwardPassesOnItsOwnCores(@TempDir Path dir) throws Exception {
        SparkSegmentation.run(spark, options(images, dir.resolve("one")).build(), zoo);
        SparkSegmentation.run(spark, options(images, dir.resolve("two")).threadsPerTask(2).build(), zoo);

        // local[2,3]: two tasks at once, spark.task.cpus 1: two graphs over one copy of the weights, one native
        // thread per forward pass unless --threads-per-task says otherwise (a model of its own then)
        assertThat(ExecutorSegmenters.loadedOptions()).extracting(o -> o.threads(), o -> o.nativeThreads())
                .contains(tuple(2, OptionalInt.of(1)), tuple(2, OptionalInt.of(2)));
        // loaded once per JVM, whatever the number of tasks and jobs that used it
        assertThat(ExecutorSegmenters.loadedOptions()).filteredOn(o -> o.nativeThreads().equals(OptionalInt.of(1)))
                .hasSize(1);
    }

    @Test
    void subdirectoriesAreMirroredAndSharedStemsKeepTheirExtensions(@TempDir Path dir) throws Exception {
        Path input = dir.resolve("input");
        Files.createDirectories(input.resolve("a"));
        Files.createDirectories(input.resolve("b"));
        SyntheticImages.scene(input.resolve("a").resolve("photo.png"), 40, 50, 1);
        SyntheticImages.scene(input.resolve("a").resolve("photo.jpg"), 40, 50, 2);
        SyntheticImages.scene(input.resolve("b").resolve("photo.png"), 40, 50, 3);
        Path sparkOut = dir.resolve("spark");

        SparkSegmentation.run(spark, options(input, sparkOut).outputKinds(List.of(OutputKind.LABELS)).build(), zoo);

        assertThat(sparkOut.resolve("a/photo.png_labels.png")).exists();
        assertThat(sparkOut.resolve("a/photo.jpg_labels.png")).exists();
        assertThat(sparkOut.resolve("b/photo_labels.png")).exists();
        assertThat(rows(sparkOut)).hasSize(3);

        // a glob: paths below its last plain directory; only what it matches
        Path globOut = dir.resolve("glob");
        SparkSegmentation.run(spark, options(input, globOut).input(input + "/*/*.png")
                .outputKinds(List.of(OutputKind.LABELS)).build(), zoo);
        assertThat(globOut.resolve("a/photo_labels.png")).hasSameBinaryContentAs(sparkOut.resolve("a/photo.png_labels.png"));
        assertThat(globOut.resolve("b/photo_labels.png")).exists();
        assertThat(rows(globOut)).hasSize(2);
    }

    @Test
    void anUnusableModelFailsOnTheDriverWithTheCliMessage(@TempDir Path dir) throws Exception {
        Path damaged = Files.write(dir.resolve("damaged.zip"), "PK\u0003\u0004 truncated".getBytes());
        CliJar.Run cli = CliJar.run(dir, "segment", "--model", damaged.toString(), "-o", dir.resolve("cli").toString(),
                images.toString());
        assertThat(cli.exitCode()).isEqualTo(1);
        String prefix = "dilation4j segment: error: ";
        String cliMessage = cli.err().lines().filter(line -> line.startsWith(prefix)).findFirst().orElseThrow()
                .substring(prefix.length());

        assertThatThrownBy(() -> SparkSegmentation.run(spark, options(images, dir.resolve("spark")).model(
                damaged.toString()).build(), zoo)).isInstanceOf(ModelFileException.class).hasMessage(cliMessage);
        assertThat(dir.resolve("spark")).doesNotExist();
    }

    @Test
    void aFinishedOutputOrOneAmongTheInputsIsRefused(@TempDir Path dir) throws Exception {
        Path out = Files.createDirectories(dir.resolve("spark"));
        Files.createFile(out.resolve("_SUCCESS"));
        assertThatThrownBy(() -> SparkSegmentation.run(spark, options(images, out).build(), zoo))
                .hasMessageContaining("holds a finished run");
        Path input = copyOf(images, dir.resolve("input"));
        assertThatThrownBy(() -> SparkSegmentation.run(spark, options(input, input.resolve("out")).build(), zoo))
                .isInstanceOf(ai.dilation4j.runtime.InvalidInputException.class)
                .hasMessageContaining("inside the input directory, which is searched recursively");
        assertThatThrownBy(() -> SparkSegmentation.run(spark, options(input, input).recursive(false).build(), zoo))
                .hasMessageContaining("is the input directory");
        assertThat(input.resolve("out")).doesNotExist();
    }

    @Test
    void evaluateSumsThePartitionsIntoTheCliReport(@TempDir Path dir) throws Exception {
        Path labels = Files.createDirectories(dir.resolve("labels"));
        Random random = new Random(7);
        try (Stream<Path> files = Files.list(images)) {
            for (Path image : files.sorted().toList()) {
                BufferedImage decoded = ImageIO.read(image.toFile());
                BufferedImage label = new BufferedImage(decoded.getWidth(), decoded.getHeight(),
                        BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < label.getHeight(); y++) {
                    for (int x = 0; x < label.getWidth(); x++) {
                        int value = random.nextInt(10) == 0 ? 255 : (x / 16 + y / 16) % 21;
                        label.getRaster().setSample(x, y, 0, value);
                    }
                }
                ImageIO.write(label, "png", labels.resolve(image.getFileName()).toFile());
            }
        }
        Files.delete(labels.resolve("scene4.png")); // one image without a label
        CliJar.Run cli = CliJar.run(dir, "evaluate", "--model", model.toString(), "--images", images.toString(),
                "--labels", labels.toString(), "--json", dir.resolve("cli.json").toString());
        assertThat(cli.exitCode()).as(cli.err()).isZero();

        SparkEvaluation.Result result = SparkEvaluation.run(spark, evaluation(labels).imagesPerTask(1).build(), zoo);

        StringWriter table = new StringWriter();
        result.report().printTable(new PrintWriter(table));
        assertThat(table.toString()).isEqualTo(cli.out());
        ObjectMapper json = new ObjectMapper();
        JsonNode document = json.readTree(json.writeValueAsString(result.report().document()));
        assertThat(document).isEqualTo(json.readTree(dir.resolve("cli.json").toFile()));
        assertThat(result.unlabelled()).isEqualTo(1);
        assertThat(result.skipped()).isEmpty();

        // --list: the listed images only; a listed image without its label skipped and named, as the CLI does
        Path list = Files.writeString(dir.resolve("val.txt"), "scene1\n\n  scene3 \nscene4\n");
        CliJar.Run listedCli = CliJar.run(dir, "evaluate", "--model", model.toString(), "--images", images.toString(),
                "--labels", labels.toString(), "--list", list.toString());
        assertThat(listedCli.exitCode()).as(listedCli.err()).isEqualTo(3);
        SparkEvaluation.Result listed = SparkEvaluation.run(spark, evaluation(labels).list(list.toString()).build(),
                zoo);
        StringWriter listedTable = new StringWriter();
        listed.report().printTable(new PrintWriter(listedTable));
        assertThat(listedTable.toString()).isEqualTo(listedCli.out());
        assertThat(listed.skipped()).singleElement().asString().contains("scene4.png: no label image named scene4.*");
        Path wrong = Files.writeString(dir.resolve("wrong.txt"), "scene1\n2007_000032\n");
        assertThatThrownBy(() -> SparkEvaluation.run(spark, evaluation(labels).list(wrong.toString()).build(), zoo))
                .hasMessageContaining("wrong.txt line 2 names 2007_000032");
    }

    @Test
    void evaluateRefusesCityscapesOptionsAsTheCliDoes(@TempDir Path dir) throws Exception {
        Path labels = Files.createDirectories(dir.resolve("labels"));
        Files.createFile(labels.resolve("aachen_000000_000019_gtFine_labelIds.png"));
        assertThatThrownBy(() -> SparkEvaluation.run(spark, evaluation(labels).format(LabelFormat.CITYSCAPES).build(),
                zoo))
                .hasMessageContaining("score the 19 Cityscapes train classes");
    }

    private static EvaluateJobOptions.Builder evaluation(Path labels) {
        return EvaluateJobOptions.builder().model(model.toString()).images(images.toString()).labels(labels.toString());
    }

    private static SegmentJobOptions.Builder options(Path input, Path output) {
        return SegmentJobOptions.builder().model(model.toString()).input(input.toString()).output(output.toString())
                .outputKinds(List.of(OutputKind.COLOR, OutputKind.LABELS, OutputKind.PROB));
    }

    /** The JSON lines of a run by image path relative to the output's parent (input/scene0.png). */
    private static Map<String, JsonNode> rows(Path output) throws IOException {
        Map<String, JsonNode> rows = new TreeMap<>();
        List<String> lines = new ArrayList<>();
        try (Stream<Path> parts = Files.list(output.resolve("results"))) {
            for (Path part : parts.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
                lines.addAll(Files.readAllLines(part));
            }
        }
        ObjectMapper json = new ObjectMapper();
        for (String line : lines) {
            JsonNode node = json.readTree(line);
            JsonNode previous = rows.put(output.getParent().relativize(Path.of(node.get("image").asText()
                    .replaceFirst("^file:", ""))).toString(), node);
            assertThat(previous).as("one line per image: %s", line).isNull();
        }
        return rows;
    }

    /** Every file the CLI wrote exists in the Spark output with the same bytes, and the Spark run wrote no other image file. */
    private static void assertSameFiles(Path cli, Path sparkOutput) throws IOException {
        List<Path> expected = regularFiles(cli);
        assertThat(expected).isNotEmpty();
        for (Path file : expected) {
            Path relative = cli.relativize(file);
            assertThat(Files.readAllBytes(sparkOutput.resolve(relative.toString()))).as(relative.toString())
                    .isEqualTo(Files.readAllBytes(file));
        }
        List<String> written = regularFiles(sparkOutput).stream().map(sparkOutput::relativize).map(Path::toString)
                .filter(name -> !name.startsWith("results") && !name.endsWith(".crc") && !name.equals("_SUCCESS"))
                .toList();
        assertThat(written).containsExactlyInAnyOrderElementsOf(expected.stream().map(cli::relativize)
                .map(Path::toString).toList());
    }

    private static List<Path> regularFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList();
        }
    }

    private static Path copyOf(Path source, Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
        return target;
    }
}
