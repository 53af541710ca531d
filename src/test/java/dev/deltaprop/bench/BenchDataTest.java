package dev.deltaprop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.cpu.CpuBackend;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code bench --data device}: the training steps take their batch from a data set uploaded once
 * ({@link Backend#upload}), compute what host batches compute, and the report says which it was.
 */
class BenchDataTest {
    private static final BenchSettings FEW = new BenchSettings(1, 3, 0, true, 0.0);

    @Test
    void deviceBatchesTrainLikeHostBatches() {
        try (Backend host = new CpuBackend(); Backend device = new CpuBackend()) {
            BenchResult a = Benchmark.run(host, Workload.tiny(), FEW, Benchmark.Batches.HOST);
            BenchResult b = Benchmark.run(device, Workload.tiny(), FEW, Benchmark.Batches.DEVICE);
            assertEquals(a.lastLoss(), b.lastLoss(), "the same network, batch and steps give the same loss");
            assertTrue(Float.isFinite(b.lastLoss()), "a loss: " + b.lastLoss());
        }
    }

    @Test
    void theReportAndTheOptionNameTheData() {
        BenchReport report = new BenchReport(new BenchReport.Environment("v", "17", "cpu", "here", List.of()),
                Benchmark.Batches.DEVICE);
        assertTrue(report.json().contains("\"data\": \"device\""), report.json());
        assertTrue(report.table().contains("data       device-resident"), report.table());
        assertTrue(new BenchReport(new BenchReport.Environment("v", "17", "cpu", "here", List.of())).json()
                .contains("\"data\": \"host\""));
        assertEquals(Benchmark.Batches.DEVICE, Benchmark.Batches.parse(" Device "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Benchmark.Batches.parse("gpu"));
        assertEquals("data: expected host or device, found 'gpu'", e.getMessage());
    }
}
