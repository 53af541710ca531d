package dev.deltaprop.cli;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.bench.BenchReport;
import dev.deltaprop.bench.BenchResult;
import dev.deltaprop.bench.BenchSettings;
import dev.deltaprop.bench.Benchmark;
import dev.deltaprop.bench.Workload;
import dev.deltaprop.io.BenchPlot;
import dev.deltaprop.io.LossPlot;
import dev.deltaprop.model.Loss;
import dev.deltaprop.model.Optimizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code deltaprop bench}: times training steps (or the forward GEMM alone) of a fixed workload
 * on a backend and prints samples/s, µs per step, GFLOP/s of the step and of each kernel family,
 * launches per step and the host overhead. The measuring is in {@link dev.deltaprop.bench}; this
 * class only reads the options and prints.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Times training steps of a fixed workload on a backend.",
            "Workloads: tiny (32-64-64-1 tanh, B=1024), mnist (784-512-512-10 relu, B=256),"
                    + " wide (1024-2048-2048-1024 relu, B=512), mnist-adam (784-512-512-10 relu, softmax with"
                    + " cross entropy, Adam, B=256), gemm-N (the forward kernel alone, N×N×N),"
                    + " all (tiny, mnist, wide, mnist-adam).",
            "Untimed warm-up steps first, until --warmup steps and --warmup-seconds have passed and the JIT has"
                    + " been idle for 1 s (at most 120 s).",
            "Each step reuses one fixed-seed batch; the time is the median of the timed steps with profiling off;"
                    + " a profiled backend then splits a step per kernel family, and host overhead ="
                    + " whole step − sum of kernel times.",
        })
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--backend", paramLabel = "NAME[,NAME…]", defaultValue = "auto",
            description = "reference, cpu, opencl, cuda, opencl-lwjgl, cuda-lwjgl or auto (default: ${DEFAULT-VALUE});"
                    + " several, comma-separated, are measured one after the other. opencl:all, cuda:0,1 or"
                    + " cuda:0=3,1=1 train on several devices at once (data parallel); the backend is then also"
                    + " measured on one device and the scaling against it is reported.")
    String backend;

    @Option(names = "--workload", paramLabel = "NAME", defaultValue = "tiny",
            description = "tiny, mnist, wide, mnist-adam, gemm-N or all (default: ${DEFAULT-VALUE}).")
    String workload;

    @Option(names = "--loss", paramLabel = "NAME",
            description = "squared_error or cross_entropy for the training workloads (cross entropy makes the output"
                    + " softmax, or sigmoid with one output, and the teachers one-hot); default: each workload's own.")
    String loss;

    @Option(names = "--optimizer", paramLabel = "NAME",
            description = "sgd, momentum, nesterov, adam or adamw (default hyper-parameters) for the training"
                    + " workloads; default: each workload's own (sgd; mnist-adam: adam).")
    String optimizer;

    @Option(names = "--steps", paramLabel = "N",
            description = "Timed steps, at least 1 (default: " + BenchSettings.DEFAULT_STEPS + "; "
                    + BenchSettings.REFERENCE_STEPS + " on the reference backend, which also refuses workloads over "
                    + "4 GFLOP per step unless --steps is given).")
    Integer steps;

    @Option(names = "--warmup", paramLabel = "N",
            description = "Untimed steps first: at least this many, at least 0 (default: " + BenchSettings.DEFAULT_WARMUP
                    + "; " + BenchSettings.REFERENCE_WARMUP + " on the reference backend). The warm-up goes on"
                    + " until --warmup-seconds have passed and the JIT is quiet too.")
    Integer warmup;

    @Option(names = "--warmup-seconds", paramLabel = "S",
            description = "The untimed steps last at least this many seconds, at least 0 (default: "
                    + BenchSettings.DEFAULT_WARMUP_SECONDS + "; " + BenchSettings.REFERENCE_WARMUP_SECONDS
                    + " on the reference backend), and past that until the JIT has been idle for 1 s."
                    + " 0: --warmup steps only.")
    Double warmupSeconds;

    @Option(names = "--profiled-steps", paramLabel = "N",
            description = "Steps with per-family profiling on, after the timed ones, at least 0 (default: "
                    + BenchSettings.DEFAULT_PROFILED_STEPS + ").")
    Integer profiledSteps;

    @Option(names = "--data", paramLabel = "WHERE", defaultValue = "host",
            description = "Where a training step's batch comes from: host (arrays, uploaded by every step) or device"
                    + " (uploaded once as a data set, Backend.upload; on a device nothing crosses per step)."
                    + " Default: ${DEFAULT-VALUE}.")
    String data;

    @Option(names = "--json", description = "Print the results as one JSON object (one per backend).")
    boolean json;

    @Option(names = "--plot", paramLabel = "BENCH.png",
            description = "Draw samples/s per backend and workload to a .png or .svg file.")
    Path plot;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        // every argument is checked before a backend is opened
        Loss newLoss = loss == null ? null : LearningOptions.flag("--loss", () -> Loss.parse(loss));
        Optimizer newOptimizer = optimizer == null ? null
                : Optimizer.of(LearningOptions.flag("--optimizer", () -> Optimizer.Kind.parse(optimizer)));
        List<Workload> workloads = Workload.parse(workload).stream().map(w -> w.withLearning(newLoss, newOptimizer))
                .toList();
        Benchmark.Batches batches = Benchmark.Batches.parse(data);
        List<String> backends = BackendList.parse(backend);
        List<String> toMeasure = BackendList.withSingleDevices(backends);
        for (String name : backends) {
            BenchSettings.choose(name, warmup, warmupSeconds, steps, profiledSteps);
        }
        if (plot != null) {
            LossPlot.checkFileName(plot);
            new OutputFiles().output("--plot", plot).check();
        }
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Map<String, Double>> rates = new LinkedHashMap<>();
        try (BenchProgress progress = BenchProgress.auto((long) toMeasure.size() * workloads.size())) {
            for (String name : toMeasure) {
                rates.put(name, measure(name, workloads, batches, out, progress));
            }
        }
        for (String name : backends) {
            String single = BackendList.singleDevice(name);
            if (single != null) {
                out.print(json ? BackendList.scalingJson(name, single, rates) + System.lineSeparator()
                        : BackendList.scalingTable(name, single, rates));
                out.flush();
            }
        }
        if (plot != null) {
            BenchPlot.write(plot, "deltaprop bench, Java " + javaVersion(), rates);
            out.println("plot " + plot);
            out.flush();
        }
        return 0;
    }

    /** Runs the workloads on one backend, prints its report, and returns workload → samples/s. */
    private Map<String, Double> measure(String name, List<Workload> workloads, Benchmark.Batches batches,
            PrintWriter out, BenchProgress progress) {
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Double> rates = new LinkedHashMap<>();
        Backends.Selection selection = Backends.select(name);
        try (Backend opened = selection.backend()) {
            BenchSettings settings = BenchSettings.choose(opened.name(), warmup, warmupSeconds, steps, profiledSteps);
            if (workloads.size() == 1 && settings.refusal(opened.name(), workloads.get(0)) != null) {
                throw new IllegalArgumentException(settings.refusal(opened.name(), workloads.get(0)));
            }
            if (opened.name().equals("reference")) {
                err.printf("deltaprop bench: the reference backend is the double-precision oracle, slow by design:"
                        + " %d warm-up and %d timed steps%n", settings.warmup(), settings.steps());
                err.flush();
            }
            BenchReport report = new BenchReport(new BenchReport.Environment(deltapropVersion(), javaVersion(),
                    opened.name(), opened.device(), name.equalsIgnoreCase("auto")
                            ? selection.report() : List.of()), batches);
            for (Workload w : workloads) {
                progress.starting(opened.name(), w.name());
                String refusal = settings.refusal(opened.name(), w);
                if (refusal != null) {
                    report.skip(w, refusal);
                } else {
                    BenchResult result = Benchmark.run(opened, w, settings, batches);
                    report.add(result);
                    if (w.kind() == Workload.Kind.TRAIN) {
                        rates.put(w.name(), result.samplesPerSecond());
                    }
                }
                progress.done();
            }
            out.print(json ? report.json() + System.lineSeparator() : report.table());
            out.flush();
            return rates;
        }
    }

    /** As {@code deltaprop --version} says it. */
    private static String deltapropVersion() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "(development build)" : version;
    }

    private static String javaVersion() {
        return System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")";
    }
}
