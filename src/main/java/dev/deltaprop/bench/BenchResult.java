package dev.deltaprop.bench;

import java.util.Map;

/**
 * What one workload measured on one backend, and the figures derived from it.
 *
 * <p>Host overhead is what a step costs beyond its kernels: {@code stepNanos − kernelNanos},
 * the median whole step (profiling off) minus the median of the per-step sums of the family
 * times (profiling on). It holds the launches, the batch upload and the loss read-back (for
 * {@code gemm-N}: the upload of the input and the read-back of the output). Divided by the
 * launches of a step it is an upper bound of the host cost per launch, the number a fused kernel
 * with fewer launches has to beat. With few profiled steps on a noisy machine it can come out
 * slightly negative; it is reported as measured, not clamped.
 *
 * @param workload        what ran
 * @param settings        the step counts used
 * @param stepNanos       median nanoseconds of a whole step, profiling off
 * @param lastLoss        the loss of the last training step ({@code NaN} for {@code gemm-N})
 * @param launchesPerStep kernel launches of a training step as the backend reports them; {@code null}
 *                        when the backend is not profiled, or for {@code gemm-N} (a predict, not a step)
 * @param familyNanos     median nanoseconds of each kernel family per step; empty when not profiled
 * @param kernelNanos     median of the per-step sums of the family times; {@code null} when not profiled
 * @param warmupNanos     how long the warm-up took
 * @param jitQuiet        whether the warm-up ended with the JIT quiet ({@link Benchmark#JIT_QUIET_NANOS}),
 *                        false when it stopped at {@link Benchmark#WARMUP_LIMIT_NANOS} with the JIT still compiling
 */
public record BenchResult(Workload workload, BenchSettings settings, long stepNanos, float lastLoss,
        Integer launchesPerStep, Map<String, Long> familyNanos, Long kernelNanos, long warmupNanos, boolean jitQuiet) {

    public BenchResult {
        familyNanos = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(familyNanos));
    }

    /** A result whose warm-up took no measured time and ended with the JIT quiet. */
    public BenchResult(Workload workload, BenchSettings settings, long stepNanos, float lastLoss,
                       Integer launchesPerStep, Map<String, Long> familyNanos, Long kernelNanos) {
        this(workload, settings, stepNanos, lastLoss, launchesPerStep, familyNanos, kernelNanos, 0, true);
    }

    /** µs per whole step. */
    public double microsPerStep() {
        return stepNanos / 1e3;
    }

    /** Samples per second of whole steps: {@code B / t_step}. */
    public double samplesPerSecond() {
        return workload.batch() * 1e9 / Math.max(stepNanos, 1);
    }

    /** GFLOP/s of whole steps: counted operations per step / {@code t_step}. */
    public double gflops() {
        return workload.flopsPerStep() / (double) Math.max(stepNanos, 1);
    }

    /** Whether the backend split the step per kernel family. */
    public boolean profiled() {
        return kernelNanos != null;
    }

    /** GFLOP/s of {@code family}, or {@code null} when its work is not counted or it took no measurable time. */
    public Double familyGflops(String family) {
        long flops = workload.familyFlops(family);
        Long nanos = familyNanos.get(family);
        if (flops == 0 || nanos == null || nanos <= 0) {
            return null;
        }
        return flops / (double) nanos;
    }

    /** {@code t_step − t_kernels} in µs, or {@code null} when not profiled. */
    public Double hostOverheadMicros() {
        return kernelNanos == null ? null : (stepNanos - kernelNanos) / 1e3;
    }

    /** The host overhead as a share of the whole step, {@code 0..1}, or {@code null} when not profiled. */
    public Double hostOverheadShare() {
        return kernelNanos == null ? null : (stepNanos - kernelNanos) / (double) Math.max(stepNanos, 1);
    }

    /** Host overhead per launch in µs, or {@code null} when the launches are not known. */
    public Double hostMicrosPerLaunch() {
        Double host = hostOverheadMicros();
        if (host == null || launchesPerStep == null || launchesPerStep <= 0) {
            return null;
        }
        return host / launchesPerStep;
    }
}
