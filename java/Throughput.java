import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.BackendUnavailableException;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.bench.BenchResult;
import dev.deltaprop.bench.BenchSettings;
import dev.deltaprop.bench.Benchmark;
import dev.deltaprop.bench.Workload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Measures training throughput from code: the {@code tiny} workload (32-64-64-1, tanh, B = 1024)
 * on each backend that starts here, with the same protocol as {@code deltaprop bench} (warm-up
 * steps, then the median of timed steps). A backend that cannot start is listed with the reason.
 *
 * <pre>
 * java -cp target/deltaprop.jar java/Throughput.java [cpu opencl …] [--quick]
 * </pre>
 */
public class Throughput {
    public static void main(String[] args) {
        List<String> names = new ArrayList<>(Arrays.asList(args));
        boolean quick = names.remove("--quick");
        if (names.isEmpty()) {
            names = List.of("reference", "cpu", "opencl", "cuda");
        }
        Workload workload = Workload.tiny();
        System.out.printf("workload %s: %s, B = %d, %.1f MFLOP per step%n", workload.name(), workload.shape(),
                workload.batch(), workload.flopsPerStep() / 1e6);
        if (quick) {
            System.out.println("--quick: 1 warm-up and 3 timed steps, a smoke test before the JIT has warmed up, not a measurement");
        }
        System.out.printf("%-10s %12s %14s %10s  %s%n", "backend", "µs/step", "samples/s", "GFLOP/s", "device");
        for (String name : names) {
            // the defaults of the bench command for this backend, fewer steps for a quick look
            BenchSettings settings = quick ? new BenchSettings(1, 3, 0, true)
                    : BenchSettings.choose(name, null, null, null);
            try (Backend backend = Backends.open(name)) {
                BenchResult result = Benchmark.run(backend, workload, settings);
                System.out.printf("%-10s %12.1f %14.0f %10.2f  %s%n", name, result.microsPerStep(),
                        result.samplesPerSecond(), result.gflops(), backend.device());
            } catch (BackendUnavailableException e) {
                System.out.printf("%-10s %12s %14s %10s  not here: %s%n", name, "-", "-", "-", e.getMessage());
            }
        }
    }
}
