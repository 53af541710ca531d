package dev.deltaprop.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One local Spark session for every test class of the module ({@code local[2,2]}: two task
 * threads, and a failed task may be tried twice), started once (about 3 s) and stopped at exit.
 */
final class TestSpark {
    private static SparkSession session;

    private TestSpark() {
    }

    static synchronized SparkSession session() {
        if (session == null) {
            session = SparkSession.builder().master("local[2,2]").appName("deltaprop-spark-tests")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                    .getOrCreate();
            session.sparkContext().setLogLevel("WARN");
            Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
        }
        return session;
    }

    /** {@code (features, label)} */
    static final StructType SCHEMA = new StructType(new StructField[] {
            new StructField("features", SQLDataTypes.VectorType(), false, org.apache.spark.sql.types.Metadata.empty()),
            new StructField("label", DataTypes.DoubleType, false, org.apache.spark.sql.types.Metadata.empty())});

    /** The shipped digits ({@code data/digits.csv}: 64 pixels in [0, 1], then the digit), in file order. */
    static List<Row> digits() {
        Path file = Path.of(System.getProperty("deltaprop.data", "../data"), "digits.csv");
        try {
            List<String> lines = Files.readAllLines(file);
            List<Row> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                String[] cells = line.split(",");
                double[] x = new double[cells.length - 1];
                for (int k = 0; k < x.length; k++) {
                    x[k] = Double.parseDouble(cells[k]);
                }
                rows.add(RowFactory.create(Vectors.dense(x), Double.parseDouble(cells[cells.length - 1])));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code rows} as a data frame of exactly {@code partitions} partitions, cut in order (contiguous slices). */
    static Dataset<Row> frame(List<Row> rows, int partitions) {
        JavaSparkContext context = JavaSparkContext.fromSparkContext(session().sparkContext());
        return session().createDataFrame(context.parallelize(rows, partitions), SCHEMA);
    }
}
