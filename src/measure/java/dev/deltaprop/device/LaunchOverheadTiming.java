package dev.deltaprop.device;

import dev.deltaprop.backend.Backends;
import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import java.util.Arrays;

/**
 * A hand-run measurement of what a device step costs when the kernels cost nothing: a 2-3-1
 * network at B = 1 (7 launches, two blocking uploads, one loss read), and the host time to
 * enqueue one launch (1,000 one-item gathers). Not a test: speed is never asserted.
 *
 * <pre>
 * java -cp target/classes:target/test-classes:$HOME/.m2/repository/org/jocl/jocl/2.0.6/jocl-2.0.6.jar \
 *      dev.deltaprop.device.LaunchOverheadTiming [backend]
 * </pre>
 */
public final class LaunchOverheadTiming {
    private LaunchOverheadTiming() {
    }

    public static void main(String[] args) {
        String name = args.length > 0 ? args[0] : "opencl";
        Network network = Network.builder(2).layer(3, Activation.TANH).layer(1, Activation.IDENTITY).build(1);
        try (DeviceBackend backend = (DeviceBackend) Backends.open(name)) {
            backend.load(network);
            float[] x = new float[2];
            float[] d = new float[1];
            for (int k = 0; k < 200; k++) {
                backend.step(x, d, 1, 0.01f);
            }
            long[] nanos = new long[2000];
            for (int k = 0; k < nanos.length; k++) {
                long start = System.nanoTime();
                backend.step(x, d, 1, 0.01f);
                nanos[k] = System.nanoTime() - start;
            }
            Arrays.sort(nanos);
            System.out.printf("device %s%n2-3-1, B = 1, %d launches per step: median %.1f µs, fastest %.1f µs (%d steps)%n",
                    backend.device(), backend.launchesPerStep(), nanos[nanos.length / 2] / 1e3, nanos[0] / 1e3, nanos.length);
            Driver driver = backend.driver();
            Driver.Memory memory = driver.allocate(16);
            driver.write(memory, 0, new int[16], 0, 16);
            for (int round = 0; round < 3; round++) {
                long start = System.nanoTime();
                for (int k = 0; k < 1000; k++) {
                    backend.kernels().gather(memory, memory, memory, 0, 1, 1);
                }
                long enqueued = System.nanoTime() - start;
                driver.finish();
                long finished = System.nanoTime() - start;
                System.out.printf("1000 launches: %.1f µs each to enqueue, %.1f µs each until finished%n",
                        enqueued / 1e6, finished / 1e6);
            }
        }
    }
}
