package dev.deltaprop.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.fake.LaneOrderDriver;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import java.nio.FloatBuffer;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The upload lane's fences ({@link InputBuffers}) on a fake binding whose queue and lane run
 * apart in the order least favourable to the engine ({@link LaneOrderDriver}): with the lane
 * ahead, an upload that did not wait for the kernels reading its slot would overwrite it under
 * them; with the queue ahead, a step that did not await its upload would read its slot first.
 * First the checker is shown to catch both (a test that could not fail would prove nothing),
 * then a run of host-batch steps — arrays and buffers, eager and queued, batches of 1, 7, 33 and
 * 257 and a last short one, both paths — must break host order nowhere.
 */
class UploadOrderTest {

    @ParameterizedTest
    @EnumSource(LaneOrderDriver.Ahead.class)
    void theCheckerCatchesAMissingFence(LaneOrderDriver.Ahead ahead) {
        try (LaneOrderDriver driver = new LaneOrderDriver(ahead)) {
            Driver.Kernel kernel = driver.kernel(driver.build(new dev.deltaprop.device.driver.ProgramSource("k", "", null), java.util.Map.of()),
                    "reads");
            Driver.Memory x = driver.allocate(4);
            Driver.Fence uploaded = driver.fence();
            Driver.Fence read = driver.fence();
            // right: await the upload, signal after the reader, the next upload waits for that
            driver.upload(x, 0, new float[4], 0, 4, read, uploaded);
            driver.await(uploaded);
            driver.launch(kernel, new int[] {1}, new int[] {1}, x);
            driver.signal(read);
            driver.upload(x, 0, new float[4], 0, 4, read, uploaded);
            driver.await(uploaded);
            driver.launch(kernel, new int[] {1}, new int[] {1}, x);
            driver.finish();
            assertEquals(List.of(), driver.violations, ahead + ": fenced");
            // wrong: the next upload does not wait for the reader, or the reader does not await the upload
            driver.upload(x, 0, new float[4], 0, 4, read, uploaded);
            if (ahead == LaneOrderDriver.Ahead.LANE) {
                driver.await(uploaded);
                driver.launch(kernel, new int[] {1}, new int[] {1}, x);
                driver.upload(x, 0, new float[4], 0, 4, null, uploaded); // should have waited for `read` signalled after the kernel
            } else {
                driver.launch(kernel, new int[] {1}, new int[] {1}, x); // should have awaited `uploaded`
            }
            driver.finish();
            assertEquals(1, driver.violations.size(), ahead + ": " + driver.violations);
        }
    }

    @ParameterizedTest
    @EnumSource(LaneOrderDriver.Ahead.class)
    void hostBatchStepsKeepHostOrder(LaneOrderDriver.Ahead ahead) {
        for (FusedMlp.Mode fused : new FusedMlp.Mode[] {FusedMlp.Mode.OFF, FusedMlp.Mode.ON}) {
            LaneOrderDriver driver = new LaneOrderDriver(ahead);
            try (DeviceBackend device = new DeviceBackend("fake", driver)) {
                assertTrue(device.device().contains("host batches on the upload lane"), device.device());
                device.fusedMode(fused);
                device.load(Network.builder(13).layer(33, Activation.TANH).layer(3, Activation.IDENTITY).build(7));
                int[] batches = {1, 7, 33, 257, 33, 5};
                for (int k = 0; k < 48; k++) {
                    int batch = batches[k % batches.length];
                    float[] x = new float[batch * 13];
                    float[] d = new float[batch * 3];
                    FloatBuffer xb = direct(x);
                    FloatBuffer db = direct(d);
                    // four queued steps in a row, so that a batch's upload comes while the step that last read
                    // its slot (two before it) is still queued; then an eager one of each kind
                    switch (k % 6) {
                        case 0, 2 -> device.queueStep(x, d, batch, 0.01f);
                        case 1, 3 -> device.queueStep(xb, db, batch, 0.01f);
                        case 4 -> device.step(x, d, batch, 0.01f);
                        default -> device.step(xb, db, batch, 0.01f);
                    }
                    if (k % 12 == 11) {
                        device.settle(); // the host waits (the loss record is never written: kernels run as nothing)
                        device.predict(new float[7 * 13], 7); // a path on input slot 0, between lane steps
                    }
                }
                device.settle();
                device.network();
                assertEquals(List.of(), driver.violations, ahead + " fused " + fused);
            }
        }
    }

    private static FloatBuffer direct(float[] values) {
        FloatBuffer buffer = java.nio.ByteBuffer.allocateDirect(values.length * Float.BYTES).order(java.nio.ByteOrder.nativeOrder())
                .asFloatBuffer();
        return buffer.put(values).flip();
    }
}
