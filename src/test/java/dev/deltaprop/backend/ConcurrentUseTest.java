package dev.deltaprop.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.deltaprop.cpu.CpuBackend;
import dev.deltaprop.cpu.Predictor;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 #6: backends are single-threaded by design; two threads inside one at once must fail
 * fast with an IllegalStateException naming the backend and both threads — not deadlock (cpu),
 * crash the JVM (opencl-lwjgl on PoCL) or corrupt the weights without a word (reference).
 */
class ConcurrentUseTest {
    private static final Network NET = Network.builder(64).layer(256, Activation.TANH).layer(256, Activation.TANH)
            .layer(4, Activation.IDENTITY).build(5);
    private static final int BATCH = 64;

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu", "opencl", "opencl-lwjgl"})
    void twoThreadsSteppingOneBackendFailFast(String name) throws Exception {
        String reason = Backends.unavailableReason(name);
        assumeTrue(reason == null, name + ": " + reason);
        try (Backend backend = Backends.open(name)) {
            backend.load(NET);
            float[] x = new float[BATCH * NET.inputs()];
            float[] d = new float[BATCH * NET.outputs()];
            // one step alone first: PoCL builds each kernel at its first launch, and on a loaded
            // machine that outlasts the race's stuck check without anything being stuck
            backend.step(x, d, BATCH, 0.01f);
            IllegalStateException e = race(() -> backend.step(x, d, BATCH, 0.01f));
            assertTrue(e.getMessage().startsWith(name + ": "), e.getMessage());
            assertTrue(e.getMessage().contains("racer-1") && e.getMessage().contains("racer-2"), e.getMessage());
            // the guard is released: one thread at a time may go on using it, from any thread
            Thread other = new Thread(() -> backend.step(x, d, BATCH, 0.01f));
            AtomicReference<Throwable> failure = new AtomicReference<>();
            other.setUncaughtExceptionHandler((t, error) -> failure.set(error));
            other.start();
            other.join();
            assertEquals(null, failure.get());
            backend.predict(x, BATCH);
        }
    }

    /** Its replicas run on its own lanes, so only its own guard can see two callers at once. */
    @Test
    void twoThreadsSteppingOneDataParallelBackendFailFast() throws Exception {
        try (Backend backend = new DataParallelBackend("cpu×2", List.of(new CpuBackend(1), new CpuBackend(1)),
                new double[] {1, 1})) {
            backend.load(NET);
            float[] x = new float[BATCH * NET.inputs()];
            float[] d = new float[BATCH * NET.outputs()];
            // one step alone first: PoCL builds each kernel at its first launch, and on a loaded
            // machine that outlasts the race's stuck check without anything being stuck
            backend.step(x, d, BATCH, 0.01f);
            IllegalStateException e = race(() -> backend.step(x, d, BATCH, 0.01f));
            assertTrue(e.getMessage().startsWith("cpu×2: "), e.getMessage());
            assertTrue(e.getMessage().contains("racer-1") && e.getMessage().contains("racer-2"), e.getMessage());
            backend.step(x, d, BATCH, 0.01f); // released
        }
    }

    @Test
    void twoThreadsOnOnePredictorFailFast() throws Exception {
        Predictor predictor = Predictor.of(NET);
        float[][] x = {new float[NET.inputs()], new float[NET.inputs()]};
        float[][] y = {new float[NET.outputs()], new float[NET.outputs()]};
        IllegalStateException e = race(() -> {
            int t = Thread.currentThread().getName().endsWith("1") ? 0 : 1;
            predictor.predict(x[t], y[t]);
        });
        assertTrue(e.getMessage().startsWith("Predictor: ") && e.getMessage().contains("racer-"), e.getMessage());
        predictor.predict(x[0], y[0]);
    }

    /**
     * Two threads call {@code call} in a loop until one of them is refused; returns that refusal.
     * Fails on any other exception, or if neither is refused within the time limit (a deadlock,
     * or concurrent use that went unnoticed).
     */
    private static IllegalStateException race(Runnable call) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<IllegalStateException> refused = new AtomicReference<>();
        List<Throwable> other = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 1; t <= 2; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (!stop.get() && System.nanoTime() < end) {
                        call.run();
                    }
                } catch (IllegalStateException e) {
                    refused.compareAndSet(null, e);
                } catch (Throwable e) {
                    synchronized (other) {
                        other.add(e);
                    }
                } finally {
                    stop.set(true);
                }
            }, "racer-" + t);
            thread.setDaemon(true); // a deadlocked racer must not keep the test JVM alive
            threads.add(thread);
            thread.start();
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            if (thread.isAlive()) {
                fail(thread.getName() + " is stuck: concurrent use deadlocked instead of failing fast");
            }
        }
        if (!other.isEmpty()) {
            throw new AssertionError("concurrent use failed with another exception", other.get(0));
        }
        if (refused.get() == null) {
            fail("two threads used one object for 20 s at once and neither was refused");
        }
        return refused.get();
    }
}
