package ai.dilation4j.runtime.evaluate;

import java.util.Arrays;

/**
 * Cityscapes' ground-truth conventions: the {@code *_gtFine_labelIds.png} files hold the dataset's label IDs
 * (0..33), of which 19 are scored as the "train IDs" 0..18 that the Cityscapes models predict; every other ID is
 * ignored. The table follows the label definitions published with the dataset (cityscapesScripts'
 * {@code labels.py}).
 */
public final class CityscapesLabels {

    /** Label files end with this; the image of {@code <city>_<seq>_<frame>} ends with {@link #IMAGE_SUFFIX}. */
    public static final String LABEL_SUFFIX = "_gtFine_labelIds.png";
    public static final String IMAGE_SUFFIX = "_leftImg8bit.png";
    public static final int TRAIN_CLASSES = 19;
    /** The value every label ID outside the 19 scored classes becomes: Cityscapes' own "ignore" train ID. */
    public static final int IGNORED = 255;

    private static final int[] TRAIN_ID_BY_LABEL_ID = new int[256];

    static {
        Arrays.fill(TRAIN_ID_BY_LABEL_ID, IGNORED);
        int[] scoredLabelIds = {
            7,  // road
            8,  // sidewalk
            11, // building
            12, // wall
            13, // fence
            17, // pole
            19, // traffic light
            20, // traffic sign
            21, // vegetation
            22, // terrain
            23, // sky
            24, // person
            25, // rider
            26, // car
            27, // truck
            28, // bus
            31, // train
            32, // motorcycle
            33, // bicycle
        };
        for (int trainId = 0; trainId < scoredLabelIds.length; trainId++) {
            TRAIN_ID_BY_LABEL_ID[scoredLabelIds[trainId]] = trainId;
        }
    }

    private CityscapesLabels() {
    }

    /** The train ID (0..18) of a label ID, or {@link #IGNORED}. */
    public static int trainId(int labelId) {
        return labelId >= 0 && labelId < TRAIN_ID_BY_LABEL_ID.length ? TRAIN_ID_BY_LABEL_ID[labelId] : IGNORED;
    }

    /** The {@code <city>_<seq>_<frame>} part of a file name ending with {@code suffix}, or null. */
    static String frameKey(String fileName, String suffix) {
        return fileName.endsWith(suffix) && fileName.length() > suffix.length()
                ? fileName.substring(0, fileName.length() - suffix.length()) : null;
    }
}
