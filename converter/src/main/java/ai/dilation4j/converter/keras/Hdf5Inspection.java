package ai.dilation4j.converter.keras;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bytedeco.hdf5.Attribute;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.DataType;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.runtime.io.ArraySizes;

import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_RDONLY;
import static org.bytedeco.hdf5.global.hdf5.H5O_TYPE_DATASET;
import static org.bytedeco.hdf5.global.hdf5.H5O_TYPE_GROUP;
import static org.bytedeco.hdf5.global.hdf5.H5T_FLOAT;
import static org.bytedeco.hdf5.global.hdf5.H5T_STRING;

/**
 * What a Keras HDF5 file declares, read without reading any weights: its string attributes and, for every layer
 * group, the datasets with their declared shapes and the bytes they really occupy. modelimport reads attributes
 * into fixed buffers and weights into arrays of the declared size, so everything it will read is checked here
 * first: a small hostile file must cost a message, not gigabytes or a native buffer overrun.
 */
final class Hdf5Inspection implements AutoCloseable {

    /** A weight array as the file declares it. */
    record Dataset(String path, long[] shape, long declaredBytes, long storedBytes) {
        String describeShape() {
            return Arrays.toString(shape);
        }
    }

    /**
     * A layer's group in the weights: the declared size of its {@code weight_names} attribute (-1 when it has none)
     * and its datasets.
     */
    record LayerWeights(String layer, long weightNamesBytes, List<Dataset> datasets) {
    }

    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    /** modelimport reads {@code weight_names} into a buffer of 2,000 bytes that HDF5 fills without bounds. */
    static final long MAX_WEIGHT_NAMES_BYTES = 1_999;
    /** No real Keras file has this many objects; a file that does is refused before it costs minutes. */
    private static final int MAX_OBJECTS = 100_000;
    private static final int MAX_DEPTH = 6;

    static {
        Loader.load(org.bytedeco.hdf5.global.hdf5.class);
        // HDF5 prints its error stack to stderr by default; our messages say what went wrong.
        org.bytedeco.hdf5.Exception.dontPrint();
    }

    private final Path path;
    private final H5File file;
    private int objectsVisited;

    private Hdf5Inspection(Path path, H5File file) {
        this.path = path;
        this.file = file;
    }

    /** Opens the file, refusing with a clear message what is not a readable HDF5 file. */
    static Hdf5Inspection open(Path path) throws ConversionException {
        if (!Files.isRegularFile(path)) {
            throw new ConversionException("Keras file " + path + " does not exist or is not a file.");
        }
        if (!Files.isReadable(path)) {
            throw new ConversionException("Keras file " + path + " cannot be read (permission denied).");
        }
        boolean signed = hasSignature(path);
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            try {
                return new Hdf5Inspection(path, new H5File(path.toString(), H5F_ACC_RDONLY()));
            } catch (RuntimeException e) {
                throw new ConversionException(signed
                        ? "Keras file " + path + " is a damaged or truncated HDF5 file (the HDF5 library cannot open "
                        + "it). Copy or download it again."
                        : "Keras file " + path + " is not an HDF5 file. Give the .h5/.hdf5 file Keras saved (a model "
                        + "JSON goes with --keras-json).");
            }
        }
    }

    /**
     * A string attribute of the root group or of a group below it, or empty when it does not exist. Refuses
     * attributes that are not strings or hold more than {@code maxBytes}.
     */
    Optional<String> stringAttribute(String group, String name, long maxBytes) throws ConversionException {
        List<String> values = stringsAttribute(group, name, maxBytes);
        if (values == null) {
            return Optional.empty();
        }
        if (values.size() != 1) {
            throw damaged("attribute '" + name + "' of " + where(group) + " holds " + values.size()
                    + " strings where Keras writes one");
        }
        return Optional.of(values.get(0));
    }

    /** Whether the group exists (the root is {@code ""}). */
    boolean hasGroup(String group) {
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            if (group.isEmpty()) {
                return true;
            }
            try {
                return file.nameExists(group) && file.childObjType(new BytePointer(group)) == H5O_TYPE_GROUP;
            } catch (RuntimeException e) {
                return false;
            }
        }
    }

    /**
     * Every layer group directly under {@code root} ({@code ""} for the file's root) with the datasets below it,
     * checked: each has a floating-point type, fits one array and occupies at least the bytes its shape declares.
     */
    Map<String, LayerWeights> layerWeights(String root) throws ConversionException {
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            Group rootGroup = null;
            try {
                rootGroup = root.isEmpty() ? file : file.openGroup(root);
                Map<String, LayerWeights> layers = new LinkedHashMap<>();
                for (String child : children(rootGroup, H5O_TYPE_GROUP)) {
                    String groupPath = root.isEmpty() ? child : root + "/" + child;
                    Group layerGroup = rootGroup.openGroup(child);
                    try {
                        long namesBytes = -1;
                        if (layerGroup.attrExists("weight_names")) {
                            Attribute names = layerGroup.openAttribute("weight_names");
                            try {
                                namesBytes = names.getStorageSize();
                            } finally {
                                names.deallocate();
                            }
                        }
                        List<Dataset> datasets = new ArrayList<>();
                        collectDatasets(layerGroup, groupPath, 0, datasets);
                        layers.put(child, new LayerWeights(child, namesBytes, datasets));
                    } finally {
                        layerGroup.deallocate();
                    }
                }
                return layers;
            } catch (RuntimeException e) {
                throw damaged("its group '" + (root.isEmpty() ? "/" : root) + "' cannot be read (" + e.getMessage()
                        + ")");
            } finally {
                if (rootGroup != null && rootGroup != file) {
                    rootGroup.deallocate();
                }
            }
        }
    }

    /** Size and SHA-256 of the whole file, read in one streaming pass. */
    SourceDigest digest() throws ConversionException {
        return SourceDigest.of(path);
    }

    @Override
    public void close() {
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            file.deallocate();
        }
    }

    private void collectDatasets(Group group, String groupPath, int depth, List<Dataset> into)
            throws ConversionException {
        for (String name : children(group, H5O_TYPE_DATASET)) {
            into.add(inspectDataset(group, groupPath + "/" + name, name));
        }
        if (depth >= MAX_DEPTH) {
            return;
        }
        for (String name : children(group, H5O_TYPE_GROUP)) {
            Group child = group.openGroup(name);
            try {
                collectDatasets(child, groupPath + "/" + name, depth + 1, into);
            } finally {
                child.deallocate();
            }
        }
    }

    private Dataset inspectDataset(Group group, String datasetPath, String name) throws ConversionException {
        DataSet dataset = group.openDataSet(name);
        DataSpace space = null;
        DataType type = null;
        try {
            space = dataset.getSpace();
            type = dataset.asAbstractDs().getDataType();
            int rank = space.getSimpleExtentNdims();
            long[] shape = new long[Math.max(rank, 0)];
            space.getSimpleExtentDims(shape);
            if (type._getClass() != H5T_FLOAT) {
                throw damaged("dataset '" + datasetPath + "' does not hold floating-point values");
            }
            if (!ArraySizes.fitsOneArray(shape)) {
                throw damaged("dataset '" + datasetPath + "' declares shape " + Arrays.toString(shape) + ", more than "
                        + "the " + ArraySizes.MAX_ELEMENTS + " values one array can hold");
            }
            long declared = space.getSimpleExtentNpoints() * type.getSize();
            long stored = dataset.getStorageSize();
            if (stored < declared) {
                throw damaged("dataset '" + datasetPath + "' declares shape " + Arrays.toString(shape) + " ("
                        + declared + " bytes) but stores " + stored + " bytes; Keras writes weights uncompressed, "
                        + "so the file is damaged or was not written by Keras");
            }
            return new Dataset(datasetPath, shape, declared, stored);
        } finally {
            if (type != null) {
                type.deallocate();
            }
            if (space != null) {
                space.deallocate();
            }
            dataset.deallocate();
        }
    }

    private List<String> children(Group group, int objectType) throws ConversionException {
        List<String> names = new ArrayList<>();
        long count = group.getNumObjs();
        for (long i = 0; i < count; i++) {
            if (++objectsVisited > MAX_OBJECTS) {
                throw damaged("it holds more than " + MAX_OBJECTS + " groups and datasets, which no Keras model has");
            }
            BytePointer name = group.getObjnameByIdx(i);
            try {
                if (group.childObjType(name) == objectType) {
                    names.add(name.getString(StandardCharsets.UTF_8));
                }
            } finally {
                name.deallocate();
            }
        }
        return names;
    }

    private List<String> stringsAttribute(String group, String name, long maxBytes) throws ConversionException {
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            if (!hasGroup(group)) {
                return null;
            }
            Group owner = group.isEmpty() ? file : file.openGroup(group);
            try {
                if (!owner.attrExists(name)) {
                    return null;
                }
                Attribute attribute = owner.openAttribute(name);
                DataType type = null;
                DataSpace space = null;
                try {
                    type = attribute.getDataType();
                    space = attribute.getSpace();
                    if (type._getClass() != H5T_STRING || type.isVariableStr()) {
                        throw damaged("attribute '" + name + "' of " + where(group) + " is not a fixed-length string, "
                                + "as Keras 1 and 2 write it");
                    }
                    long bytes = attribute.getStorageSize();
                    if (bytes > maxBytes) {
                        throw damaged("attribute '" + name + "' of " + where(group) + " holds " + bytes + " bytes, "
                                + "more than the " + maxBytes + " dilation4j reads");
                    }
                    long count = Math.max(space.getSimpleExtentNpoints(), 1);
                    long elementBytes = type.getSize();
                    if (elementBytes * count != bytes) {
                        throw damaged("attribute '" + name + "' of " + where(group) + " has an inconsistent size");
                    }
                    BytePointer buffer = new BytePointer(Math.max(bytes, 1));
                    try {
                        attribute.read(type, buffer);
                        byte[] raw = new byte[(int) bytes];
                        buffer.get(raw);
                        List<String> values = new ArrayList<>();
                        for (int i = 0; i < count; i++) {
                            values.add(fixedString(raw, (int) (i * elementBytes), (int) elementBytes));
                        }
                        return values;
                    } finally {
                        buffer.deallocate();
                    }
                } finally {
                    if (type != null) {
                        type.deallocate();
                    }
                    if (space != null) {
                        space.deallocate();
                    }
                    attribute.deallocate();
                }
            } catch (RuntimeException e) {
                throw damaged("attribute '" + name + "' of " + where(group) + " cannot be read (" + e.getMessage()
                        + ")");
            } finally {
                if (owner != file) {
                    owner.deallocate();
                }
            }
        }
    }

    /** A fixed-length HDF5 string: null-terminated, null-padded or space-padded. */
    private static String fixedString(byte[] raw, int offset, int length) {
        int end = offset;
        while (end < offset + length && raw[end] != 0) {
            end++;
        }
        return new String(raw, offset, end - offset, StandardCharsets.UTF_8).stripTrailing();
    }

    private ConversionException damaged(String problem) {
        return new ConversionException("Keras file " + path + ": " + problem + ".");
    }

    private static String where(String group) {
        return group.isEmpty() ? "the file" : "group '" + group + "'";
    }

    private static boolean hasSignature(Path path) {
        try (InputStream in = Files.newInputStream(path)) {
            return Arrays.equals(in.readNBytes(SIGNATURE.length), SIGNATURE);
        } catch (IOException e) {
            return false;
        }
    }
}
