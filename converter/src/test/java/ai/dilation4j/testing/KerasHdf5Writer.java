package ai.dilation4j.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.bytedeco.hdf5.Attribute;
import org.bytedeco.hdf5.DSetAccPropList;
import org.bytedeco.hdf5.DSetCreatPropList;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.DataType;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.LinkCreatPropList;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.StrType;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;

import static org.bytedeco.hdf5.global.hdf5.H5F_ACC_TRUNC;
import static org.bytedeco.hdf5.global.hdf5.H5S_SCALAR;

/**
 * Writes HDF5 files the way h5py lays out Keras's: string attributes as fixed-length, null-padded strings (Keras
 * encodes them to bytes), string lists as arrays of them, weights as uncompressed float32 datasets. Groups on a
 * dataset's path are created as h5py creates them.
 */
public final class KerasHdf5Writer implements AutoCloseable {

    static {
        Loader.load(org.bytedeco.hdf5.global.hdf5.class);
    }

    private final H5File file;

    private KerasHdf5Writer(H5File file) {
        this.file = file;
    }

    public static KerasHdf5Writer create(Path path) {
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            return new KerasHdf5Writer(new H5File(path.toString(), H5F_ACC_TRUNC()));
        }
    }

    /** A scalar string attribute of a group ({@code ""} = the root). */
    public KerasHdf5Writer attribute(String group, String name, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            Group owner = group(group);
            StrType type = new StrType(PredType.C_S1(), Math.max(bytes.length, 1));
            DataSpace space = new DataSpace(H5S_SCALAR);
            Attribute attribute = owner.createAttribute(name, type, space);
            attribute.write(type, new BytePointer(bytes.length == 0 ? new byte[1] : bytes));
            release(attribute, space, type, owner);
        }
        return this;
    }

    /** A string list attribute (e.g. {@code weight_names}): one fixed-length string per entry, as h5py writes it. */
    public KerasHdf5Writer attribute(String group, String name, List<String> values) {
        int width = Math.max(1, values.stream().mapToInt(v -> v.getBytes(StandardCharsets.UTF_8).length).max().orElse(1));
        byte[] packed = new byte[Math.max(1, width * values.size())];
        for (int i = 0; i < values.size(); i++) {
            byte[] value = values.get(i).getBytes(StandardCharsets.UTF_8);
            System.arraycopy(value, 0, packed, i * width, value.length);
        }
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            Group owner = group(group);
            StrType type = new StrType(PredType.C_S1(), width);
            DataSpace space = new DataSpace(1, new long[] {values.size()});
            Attribute attribute = owner.createAttribute(name, type, space);
            if (!values.isEmpty()) {
                attribute.write(type, new BytePointer(packed));
            }
            release(attribute, space, type, owner);
        }
        return this;
    }

    /** A float32 dataset at {@code path} (groups on the way are created), holding {@code values} in C order. */
    public KerasHdf5Writer dataset(String path, long[] shape, float[] values) {
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            int slash = path.lastIndexOf('/');
            Group owner = group(slash < 0 ? "" : path.substring(0, slash));
            DataType type = new DataType(PredType.NATIVE_FLOAT());
            DataSpace space = new DataSpace(shape.length, shape);
            DataSet dataset = owner.createDataSet(path.substring(slash + 1), type, space);
            dataset.write(new FloatPointer(values), type);
            release(dataset, space, type, owner);
        }
        return this;
    }

    /**
     * A chunked float32 dataset of which nothing is written: it declares {@code shape} but occupies no space, what a
     * hostile file uses to make a reader allocate gigabytes.
     */
    public KerasHdf5Writer hollowDataset(String path, long[] shape) {
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            int slash = path.lastIndexOf('/');
            Group owner = group(slash < 0 ? "" : path.substring(0, slash));
            DataType type = new DataType(PredType.NATIVE_FLOAT());
            DataSpace space = new DataSpace(shape.length, shape);
            DSetCreatPropList chunked = new DSetCreatPropList();
            long[] chunk = new long[shape.length];
            java.util.Arrays.fill(chunk, 1);
            chunked.setChunk(shape.length, chunk);
            // every HDF5 object freed here, under the lock: one left to the garbage collector is closed on JavaCPP's
            // deallocator thread, racing with HDF5 calls on this one (HDF5 is not thread-safe; a SIGSEGV in
            // libhdf5 while a later test wrote a dataset)
            DSetAccPropList access = new DSetAccPropList();
            LinkCreatPropList link = new LinkCreatPropList();
            DataSet dataset = owner.createDataSet(path.substring(slash + 1), type, space, chunked, access, link);
            release(dataset, space, type, owner);
            chunked.deallocate();
            access.deallocate();
            link.deallocate();
        }
        return this;
    }

    @Override
    public void close() {
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            file.deallocate();
        }
    }

    /** Opens the group at {@code path}, creating it and its parents where missing. */
    private Group group(String path) {
        Group current = file;
        if (path.isEmpty()) {
            return current;
        }
        for (String part : path.split("/")) {
            Group next = current.nameExists(part) ? current.openGroup(part) : current.createGroup(part);
            if (current != file) {
                current.deallocate();
            }
            current = next;
        }
        return current;
    }

    private void release(org.bytedeco.javacpp.Pointer object, DataSpace space, DataType type, Group owner) {
        object.deallocate();
        space.deallocate();
        type.deallocate();
        if (owner != file) {
            owner.deallocate();
        }
    }
}
