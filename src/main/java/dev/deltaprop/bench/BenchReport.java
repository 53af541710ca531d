package dev.deltaprop.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results of one {@code deltaprop bench} run with what is needed to compare two runs (the
 * backend, its device, the versions), as a readable table or as one JSON object.
 *
 * <p>The JSON object has the environment at the top ({@code deltaprop}, {@code java},
 * {@code backend}, {@code device}, {@code selection}, {@code data}: where the training batches
 * came from, {@code host} arrays or a data set {@code device}-resident on the backend) and one entry per workload in
 * {@code workloads}: either the measurement or {@code skipped} with the reason. Times are µs,
 * rates per second, operation counts plain integers; a figure that was not measured is absent.
 */
public final class BenchReport {

    /** Where it ran: versions, backend name, device, and how {@code auto} chose (if it did). */
    public record Environment(String deltaprop, String java, String backend, String device, List<String> selection) {
        public Environment {
            selection = List.copyOf(selection);
        }
    }

    private final Environment environment;
    private final Benchmark.Batches batches;
    private final List<Object> entries = new ArrayList<>();

    public BenchReport(Environment environment) {
        this(environment, Benchmark.Batches.HOST);
    }

    /** A report whose training steps took their batches as {@code batches} says. */
    public BenchReport(Environment environment, Benchmark.Batches batches) {
        this.environment = environment;
        this.batches = batches;
    }

    public void add(BenchResult result) {
        entries.add(result);
    }

    /** Records a workload that was not run, and why. */
    public void skip(Workload workload, String reason) {
        entries.add(new Skipped(workload, reason));
    }

    private record Skipped(Workload workload, String reason) {
    }

    /** The report as one JSON object, pretty-printed. */
    public String json() {
        JsonObject root = new JsonObject();
        root.addProperty("deltaprop", environment.deltaprop());
        root.addProperty("java", environment.java());
        root.addProperty("backend", environment.backend());
        root.addProperty("device", environment.device());
        JsonArray selection = new JsonArray();
        environment.selection().forEach(selection::add);
        root.add("selection", selection);
        root.addProperty("data", batches.id());
        JsonArray workloads = new JsonArray();
        for (Object entry : entries) {
            workloads.add(entry instanceof BenchResult ? json((BenchResult) entry) : json((Skipped) entry));
        }
        root.add("workloads", workloads);
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(root);
    }

    private static JsonObject describe(Workload workload) {
        JsonObject o = new JsonObject();
        o.addProperty("workload", workload.name());
        o.addProperty("kind", workload.kind() == Workload.Kind.TRAIN ? "train" : "gemm");
        o.addProperty("shape", workload.shape());
        JsonArray activations = new JsonArray();
        workload.activations().forEach(a -> activations.add(a.id()));
        o.add("activations", activations);
        o.addProperty("batch", workload.batch());
        if (workload.kind() == Workload.Kind.TRAIN) {
            o.addProperty("loss_function", workload.loss().id());
            o.addProperty("optimizer", workload.optimizer().kind().id());
        }
        o.addProperty("flops_per_step", workload.flopsPerStep());
        return o;
    }

    private static JsonObject json(Skipped skipped) {
        JsonObject o = describe(skipped.workload());
        o.addProperty("skipped", skipped.reason());
        return o;
    }

    private static JsonObject json(BenchResult r) {
        JsonObject o = describe(r.workload());
        o.addProperty("warmup", r.settings().warmup());
        o.addProperty("warmup_min_seconds", r.settings().warmupSeconds());
        o.addProperty("warmup_seconds", r.warmupNanos() / 1e9);
        o.addProperty("warmup_jit_quiet", r.jitQuiet());
        o.addProperty("steps", r.settings().steps());
        o.addProperty("learning_rate", Benchmark.LEARNING_RATE);
        o.addProperty("us_per_step", r.microsPerStep());
        o.addProperty("samples_per_s", r.samplesPerSecond());
        o.addProperty("gflops", r.gflops());
        if (Float.isFinite(r.lastLoss())) {
            o.addProperty("loss", r.lastLoss());
        }
        if (r.launchesPerStep() != null) {
            o.addProperty("launches_per_step", r.launchesPerStep());
        }
        if (r.profiled()) {
            o.addProperty("profiled_steps", r.settings().profiledSteps());
            JsonObject families = new JsonObject();
            for (Map.Entry<String, Long> family : r.familyNanos().entrySet()) {
                JsonObject f = new JsonObject();
                f.addProperty("us", family.getValue() / 1e3);
                long flops = r.workload().familyFlops(family.getKey());
                if (flops > 0) {
                    f.addProperty("flops", flops);
                }
                Double gflops = r.familyGflops(family.getKey());
                if (gflops != null) {
                    f.addProperty("gflops", gflops);
                }
                families.add(family.getKey(), f);
            }
            o.add("families", families);
            o.addProperty("kernel_us_per_step", r.kernelNanos() / 1e3);
            o.addProperty("host_overhead_us", r.hostOverheadMicros());
            o.addProperty("host_overhead_share", r.hostOverheadShare());
            if (r.hostMicrosPerLaunch() != null) {
                o.addProperty("host_us_per_launch", r.hostMicrosPerLaunch());
            }
        }
        return o;
    }

    /** The report as a table for people. */
    public String table() {
        StringBuilder s = new StringBuilder();
        line(s, "backend    %s (%s)", environment.backend(), environment.device());
        for (String chosen : environment.selection()) {
            line(s, "           %s", chosen);
        }
        line(s, "versions   deltaprop %s, Java %s", environment.deltaprop(), environment.java());
        if (batches == Benchmark.Batches.DEVICE) {
            line(s, "data       device-resident: the batch uploaded once (Backend.upload), each step takes it from there");
        }
        for (Object entry : entries) {
            s.append('\n');
            if (entry instanceof Skipped) {
                Skipped skipped = (Skipped) entry;
                line(s, "workload   %s", skipped.workload());
                line(s, "  skipped: %s", skipped.reason());
            } else {
                table(s, (BenchResult) entry);
            }
        }
        return s.toString();
    }

    private static void table(StringBuilder s, BenchResult r) {
        Workload w = r.workload();
        line(s, "workload   %s, %s per step", w, flops(w.flopsPerStep()));
        line(s, "steps      %d warm-up (%s s, at least %s s%s), %d timed (median)%s", r.settings().warmup(),
                String.format(java.util.Locale.ROOT, "%.1f", r.warmupNanos() / 1e9),
                String.format(java.util.Locale.ROOT, "%.1f", r.settings().warmupSeconds()),
                r.jitQuiet() ? "" : "; the JIT was still compiling: the timed steps may be partly interpreted",
                r.settings().steps(), r.profiled() ? ", " + r.settings().profiledSteps() + " profiled" : "");
        line(s, "  %-14s %12s %12s %14s %9s", "", "µs/step", "GFLOP/s", "samples/s", "share");
        line(s, "  %-14s %12.1f %12.3f %14.1f %9s", "whole step", r.microsPerStep(), r.gflops(), r.samplesPerSecond(),
                "100.0 %");
        if (r.profiled()) {
            for (Map.Entry<String, Long> family : r.familyNanos().entrySet()) {
                Double gflops = r.familyGflops(family.getKey());
                line(s, "  %-14s %12.1f %12s %14s %9s", family.getKey(), family.getValue() / 1e3,
                        gflops == null ? "—" : String.format(Locale.ROOT, "%.3f", gflops), "",
                        percent(family.getValue() / (double) r.stepNanos()));
            }
            line(s, "  %-14s %12.1f %12s %14s %9s", "kernels", r.kernelNanos() / 1e3, "", "",
                    percent(r.kernelNanos() / (double) r.stepNanos()));
            line(s, "  %-14s %12.1f %12s %14s %9s  %s", "host overhead", r.hostOverheadMicros(), "", "",
                    percent(r.hostOverheadShare()), w.kind() == Workload.Kind.TRAIN
                            ? "= whole step − kernels: launches, batch upload, loss read-back"
                            : "= predict − forward kernel: input upload, output read-back");
        }
        if (r.launchesPerStep() != null) {
            String perLaunch = r.hostMicrosPerLaunch() == null ? ""
                    : String.format(Locale.ROOT, " → host %.2f µs per launch", r.hostMicrosPerLaunch());
            line(s, "launches   %d per step%s", r.launchesPerStep(), perLaunch);
        }
        if (!r.profiled()) {
            line(s, "           (this backend does not split a step per kernel family)");
        }
        if (w.kind() == Workload.Kind.TRAIN) {
            line(s, "loss       %.6g after the last step%s", r.lastLoss(),
                    Float.isFinite(r.lastLoss()) ? "" : "  ← not finite: the figures time diverged arithmetic");
        }
    }

    private static String flops(long flops) {
        if (flops >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f GFLOP", flops / 1e9);
        }
        if (flops >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.2f MFLOP", flops / 1e6);
        }
        return flops + " FLOP";
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f %%", 100 * share);
    }

    private static void line(StringBuilder s, String format, Object... args) {
        s.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
