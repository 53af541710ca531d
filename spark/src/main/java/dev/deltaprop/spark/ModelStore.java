package dev.deltaprop.spark;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;

/**
 * A saved model's folder: Spark's {@code metadata/} (the class, the uid and every param, as every
 * MLlib model has it, so that a saved {@code PipelineModel} finds this model's reader), and
 * {@code deltaprop/model.json}, the network in deltaprop's own model format, which
 * {@code deltaprop predict --model} reads as it is. Written through Hadoop's file system, so a
 * path may be local, {@code hdfs://…} or any other that the session's configuration knows.
 */
final class ModelStore {
    /** Where the network lies in a saved model's folder. */
    static final String MODEL_FILE = "deltaprop/model.json";

    private ModelStore() {
    }

    /** The writer of {@code model}'s folder: its metadata, and {@code network}'s JSON. */
    static MLWriter writer(Params model, NetworkHolder network) {
        return new MLWriter() {
            @Override
            public void saveImpl(String path) {
                ModelStore.save(model, network.json(), path, sparkSession());
            }
        };
    }

    /**
     * The reader of saved models of class {@code type}: each is built by {@code model} from its saved
     * uid (passed through {@link StageUid}) and network (with no training losses), then given its saved params.
     */
    static <M extends Params> MLReader<M> reader(Class<M> type, BiFunction<StageUid.Token, NetworkHolder, M> model) {
        return new MLReader<>() {
            @Override
            public M load(String path) {
                DefaultParamsReader.Metadata metadata = ModelStore.metadata(path, sparkSession(), type);
                NetworkHolder network = new NetworkHolder(ModelStore.network(path, sparkSession()), new double[0]);
                M loaded = model.apply(StageUid.pass(metadata.uid()), network);
                ModelStore.setParams(metadata, loaded);
                return loaded;
            }
        };
    }

    private static void save(Params stage, String json, String path, SparkSession spark) {
        DefaultParamsWriter$.MODULE$.saveMetadata(stage, path, spark);
        Path file = new Path(path, MODEL_FILE);
        try {
            FileSystem fs = file.getFileSystem(spark.sparkContext().hadoopConfiguration());
            try (FSDataOutputStream out = fs.create(file, false)) {
                out.write(json.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("path: could not write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The metadata of a saved model of class {@code type}. */
    private static DefaultParamsReader.Metadata metadata(String path, SparkSession spark, Class<?> type) {
        return DefaultParamsReader$.MODULE$.loadMetadata(path, spark, type.getName());
    }

    /** The network's JSON from a saved model's folder. */
    private static String network(String path, SparkSession spark) {
        Path file = new Path(path, MODEL_FILE);
        try {
            FileSystem fs = file.getFileSystem(spark.sparkContext().hadoopConfiguration());
            try (FSDataInputStream in = fs.open(file)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("path: could not read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Sets the params saved in {@code metadata} on {@code stage}. */
    private static void setParams(DefaultParamsReader.Metadata metadata, Params stage) {
        metadata.getAndSetParams(stage, metadata.getAndSetParams$default$2());
    }
}
