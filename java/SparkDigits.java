import dev.deltaprop.spark.DeltapropClassificationModel;
import dev.deltaprop.spark.DeltapropClassifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * deltaprop on Apache Spark: the shipped handwritten digits ({@code data/digits.csv}, 1,797 8×8
 * images, pixels in [0, 1], the digit last) read by Spark, 20% held out, and a softmax network
 * 64-32-10 trained by Adam through {@code DeltapropClassifier} in a Spark ML {@code Pipeline}, in
 * an embedded local session ({@code local[*]}: one task per core, training together). Prints the
 * held-out accuracy next to that of always answering the most common digit, saves the fitted
 * pipeline and loads it back.
 *
 * <p>Needs the Spark module's class path: from the repository root, after its build (README,
 * "deltaprop on Apache Spark"), {@code bash spark/run.sh java/SparkDigits.java} ({@code --quick}:
 * 8 epochs instead of 30).
 */
public class SparkDigits {
    public static void main(String[] args) throws Exception {
        boolean quick = Arrays.asList(args).contains("--quick");
        SparkSession spark = SparkSession.builder().master("local[*]").appName("SparkDigits")
                .config("spark.ui.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            Dataset<Row> digits = spark.read().option("header", true).option("inferSchema", true).csv("data/digits.csv")
                    .withColumn("label", org.apache.spark.sql.functions.col("digit").cast("double"));
            String[] pixels = Arrays.stream(digits.columns()).filter(c -> c.startsWith("pixel_")).toArray(String[]::new);
            Dataset<Row>[] split = digits.randomSplit(new double[] {0.8, 0.2}, 1);
            Dataset<Row> train = split[0].cache();
            Dataset<Row> test = split[1].cache();

            VectorAssembler features = new VectorAssembler().setInputCols(pixels).setOutputCol("features");
            DeltapropClassifier classifier = new DeltapropClassifier().setLayers(32).setActivation("tanh")
                    .setOptimizer("adam").setLearningRate(0.01).setBatchSize(32).setEpochs(quick ? 8 : 30).setSeed(1);
            Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {features, classifier});
            long start = System.nanoTime();
            PipelineModel model = pipeline.fit(train);
            double seconds = (System.nanoTime() - start) / 1e9;

            double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy")
                    .evaluate(model.transform(test));
            long common = train.groupBy("label").count().orderBy(org.apache.spark.sql.functions.desc("count")).first()
                    .getLong(1);
            Row mostCommon = train.groupBy("label").count().orderBy(org.apache.spark.sql.functions.desc("count")).first();
            double baseline = (double) test.filter(test.col("label").equalTo(mostCommon.getDouble(0))).count() / test.count();
            DeltapropClassificationModel network = (DeltapropClassificationModel) model.stages()[1];
            System.out.printf("trained %s in %.1f s on %d tasks (%d training images, %d held out)%n",
                    network.network().shape(), seconds, spark.sparkContext().defaultParallelism(), train.count(),
                    test.count());
            System.out.printf("held-out accuracy %.2f%% (always answering the most common digit, %d seen %d times:"
                    + " %.2f%%)%n", 100 * accuracy, (int) mostCommon.getDouble(0), common, 100 * baseline);

            Path saved = Files.createTempDirectory("spark-digits").resolve("model");
            model.write().save(saved.toString());
            double reloaded = new MulticlassClassificationEvaluator().setMetricName("accuracy")
                    .evaluate(PipelineModel.load(saved.toString()).transform(test));
            System.out.printf("saved to %s and loaded back: held-out accuracy %.2f%%%n", saved, 100 * reloaded);
            if (reloaded != accuracy) {
                throw new IllegalStateException("the loaded pipeline predicts otherwise: " + reloaded + " vs " + accuracy);
            }
        } finally {
            spark.stop();
        }
    }
}
