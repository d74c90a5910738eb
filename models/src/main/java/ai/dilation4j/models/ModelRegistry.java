package ai.dilation4j.models;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The four DilatedNet models of Yu &amp; Koltun (ICLR 2016) as published in fyu/dilation.
 * The label margin of 186 is the receptive-field half-width of the DilatedNet front end that fyu/dilation's
 * {@code predict.py} pads every image with.
 */
public final class ModelRegistry {

    public static final int DILATED_NET_LABEL_MARGIN = 186;

    private static final String DEPLOY_BASE = "https://raw.githubusercontent.com/fyu/dilation/master/models/";
    private static final String WEIGHTS_BASE = "http://dl.yf.io/dilation/models/";

    private static final List<int[]> CAMVID_PALETTE = List.of(
            rgb(128, 0, 0), rgb(128, 128, 0), rgb(128, 128, 128), rgb(64, 0, 128), rgb(192, 128, 128),
            rgb(128, 64, 128), rgb(64, 64, 0), rgb(64, 64, 128), rgb(192, 192, 128), rgb(0, 0, 192),
            rgb(0, 128, 192));
    private static final List<String> CAMVID_CLASSES = List.of(
            "building", "tree", "sky", "car", "sign", "road", "pedestrian", "fence", "pole", "sidewalk",
            "bicyclist");

    private static final List<ModelPreset> PRESETS = List.of(
            preset("pascal_voc", "dilation8_pascal_voc", 900, 900, new DatasetSpec("pascal_voc",
                    List.of("background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat",
                            "chair", "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant",
                            "sheep", "sofa", "train", "tvmonitor"),
                    List.of(rgb(0, 0, 0), rgb(128, 0, 0), rgb(0, 128, 0), rgb(128, 128, 0), rgb(0, 0, 128),
                            rgb(128, 0, 128), rgb(0, 128, 128), rgb(128, 128, 128), rgb(64, 0, 0), rgb(192, 0, 0),
                            rgb(64, 128, 0), rgb(192, 128, 0), rgb(64, 0, 128), rgb(192, 0, 128), rgb(64, 128, 128),
                            rgb(192, 128, 128), rgb(0, 64, 0), rgb(128, 64, 0), rgb(0, 192, 0), rgb(128, 192, 0),
                            rgb(0, 64, 128)),
                    new double[] {102.93, 111.36, 116.52}, DILATED_NET_LABEL_MARGIN, 8)),
            preset("camvid", "dilation8_camvid", 900, 1100, new DatasetSpec("camvid", CAMVID_CLASSES,
                    CAMVID_PALETTE, new double[] {110.70313206, 108.77808759, 105.41212523},
                    DILATED_NET_LABEL_MARGIN, 8)),
            preset("kitti", "dilation7_kitti", 852, 1640, new DatasetSpec("kitti", CAMVID_CLASSES,
                    CAMVID_PALETTE, new double[] {96.19429688, 95.55136972, 91.34692262},
                    DILATED_NET_LABEL_MARGIN, 8)),
            preset("cityscapes", "dilation10_cityscapes", 1396, 1396, new DatasetSpec("cityscapes",
                    List.of("road", "sidewalk", "building", "wall", "fence", "pole", "traffic light",
                            "traffic sign", "vegetation", "terrain", "sky", "person", "rider", "car", "truck",
                            "bus", "train", "motorcycle", "bicycle"),
                    List.of(rgb(128, 64, 128), rgb(244, 35, 232), rgb(70, 70, 70), rgb(102, 102, 156),
                            rgb(190, 153, 153), rgb(153, 153, 153), rgb(250, 170, 30), rgb(220, 220, 0),
                            rgb(107, 142, 35), rgb(152, 251, 152), rgb(70, 130, 180), rgb(220, 20, 60),
                            rgb(255, 0, 0), rgb(0, 0, 142), rgb(0, 0, 70), rgb(0, 60, 100), rgb(0, 80, 100),
                            rgb(0, 0, 230), rgb(119, 11, 32)),
                    new double[] {72.39, 82.91, 73.16}, DILATED_NET_LABEL_MARGIN, 1)));

    private static final Map<String, ModelPreset> BY_NAME =
            PRESETS.stream().collect(Collectors.toUnmodifiableMap(ModelPreset::name, Function.identity()));

    private ModelRegistry() {
    }

    /** All presets, in a stable order. */
    public static List<ModelPreset> presets() {
        return PRESETS;
    }

    /** Looks a preset up by its short name ({@code pascal_voc}) or model name ({@code dilation8_pascal_voc}). */
    public static Optional<ModelPreset> find(String name) {
        ModelPreset byShortName = BY_NAME.get(name);
        if (byShortName != null) {
            return Optional.of(byShortName);
        }
        return PRESETS.stream().filter(p -> p.modelName().equals(name)).findFirst();
    }

    /** The preset names, comma separated, for error messages and help texts. */
    public static String names() {
        return PRESETS.stream().map(ModelPreset::name).collect(Collectors.joining(", "));
    }

    private static ModelPreset preset(String name, String modelName, int height, int width, DatasetSpec dataset) {
        return new ModelPreset(name, modelName, dataset, height, width,
                DEPLOY_BASE + modelName + "_deploy.prototxt", WEIGHTS_BASE + modelName + ".caffemodel", null);
    }

    private static int[] rgb(int r, int g, int b) {
        return new int[] {r, g, b};
    }
}
