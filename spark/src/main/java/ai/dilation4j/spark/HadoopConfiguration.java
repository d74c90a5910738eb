package ai.dilation4j.spark;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

import org.apache.hadoop.conf.Configuration;

/**
 * The driver's Hadoop configuration (with the job's {@code spark.hadoop.*} settings: S3A credentials, HDFS name
 * services) carried to the tasks, which open the images and write the outputs with it.
 */
final class HadoopConfiguration implements Serializable {

    private static final long serialVersionUID = 1L;

    private transient Configuration value;

    HadoopConfiguration(Configuration value) {
        this.value = value;
    }

    Configuration get() {
        return value;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        out.defaultWriteObject();
        value.write(out);
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        value = new Configuration(false);
        value.readFields(in);
    }
}
