package dev.deltaprop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The two renderings of a report hold the same figures, from results with known times. */
class BenchReportTest {

    private static BenchResult profiledTiny() {
        Map<String, Long> families = new LinkedHashMap<>();
        families.put("forward", 2_000L);
        families.put("delta_output", 100L);
        families.put("delta_hidden", 1_000L);
        families.put("update", 3_000L);
        return new BenchResult(Workload.tiny(), new BenchSettings(3, 20, 10, false), 10_000L, 0.5f, 10, families,
                6_100L);
    }

    private static BenchReport report() {
        BenchReport report = new BenchReport(new BenchReport.Environment("1.2.3", "17.0.15 (VM)", "opencl",
                "a device", List.of("skipped cuda: no driver", "chose opencl (a device)")));
        report.add(profiledTiny());
        report.skip(Workload.wide(), "too slow here");
        return report;
    }

    @Test
    void jsonHoldsTheEnvironmentAndEachWorkload() {
        JsonObject root = JsonParser.parseString(report().json()).getAsJsonObject();
        assertEquals("1.2.3", root.get("deltaprop").getAsString());
        assertEquals("17.0.15 (VM)", root.get("java").getAsString());
        assertEquals("opencl", root.get("backend").getAsString());
        assertEquals("a device", root.get("device").getAsString());
        assertEquals(2, root.getAsJsonArray("selection").size());
        JsonArray workloads = root.getAsJsonArray("workloads");
        assertEquals(2, workloads.size());

        JsonObject tiny = workloads.get(0).getAsJsonObject();
        assertEquals(10.0, tiny.get("us_per_step").getAsDouble(), 1e-12);
        assertEquals(1024 / 10e-6, tiny.get("samples_per_s").getAsDouble(), 1e-6);
        assertEquals(33_947_648 / 10_000.0, tiny.get("gflops").getAsDouble(), 1e-9);
        assertEquals(10, tiny.get("launches_per_step").getAsInt());
        assertEquals(0.5f, tiny.get("loss").getAsFloat());
        JsonObject families = tiny.getAsJsonObject("families");
        assertEquals(List.of("forward", "delta_output", "delta_hidden", "update"), List.copyOf(families.keySet()));
        assertEquals(2.0, families.getAsJsonObject("forward").get("us").getAsDouble(), 1e-12);
        assertEquals(12_713_984L, families.getAsJsonObject("forward").get("flops").getAsLong());
        assertEquals(12_713_984 / 2_000.0, families.getAsJsonObject("forward").get("gflops").getAsDouble(), 1e-9);
        assertEquals(8_519_680 / 1_000.0, families.getAsJsonObject("delta_hidden").get("gflops").getAsDouble(), 1e-9);
        assertFalse(families.getAsJsonObject("delta_output").has("gflops"), "the output δ has no counted operations");
        assertEquals(6.1, tiny.get("kernel_us_per_step").getAsDouble(), 1e-12);
        assertEquals(3.9, tiny.get("host_overhead_us").getAsDouble(), 1e-12);
        assertEquals(0.39, tiny.get("host_overhead_share").getAsDouble(), 1e-12);
        assertEquals(0.39, tiny.get("host_us_per_launch").getAsDouble(), 1e-12);

        JsonObject wide = workloads.get(1).getAsJsonObject();
        assertEquals("wide", wide.get("workload").getAsString());
        assertEquals("too slow here", wide.get("skipped").getAsString());
        assertEquals(23_622_320_128L, wide.get("flops_per_step").getAsLong());
        assertFalse(wide.has("us_per_step"));
    }

    @Test
    void theTableShowsTheSameFigures() {
        String table = report().table();
        assertTrue(table.contains("backend    opencl (a device)"), table);
        assertTrue(table.contains("chose opencl (a device)"), table);
        assertTrue(table.contains("deltaprop 1.2.3, Java 17.0.15 (VM)"), table);
        assertTrue(table.contains("tiny: 32-64-64-1 [tanh,tanh,identity], batch 1024, 33.95 MFLOP per step"), table);
        assertTrue(table.matches("(?s).*whole step\\s+10\\.0\\s+3394\\.765\\s+102400000\\.0\\s+100\\.0 %.*"), table);
        assertTrue(table.matches("(?s).*forward\\s+2\\.0\\s+6356\\.992\\s+20\\.0 %.*"), table);
        assertTrue(table.matches("(?s).*delta_output\\s+0\\.1\\s+—\\s+1\\.0 %.*"), table);
        assertTrue(table.matches("(?s).*host overhead\\s+3\\.9\\s+39\\.0 %.*"), table);
        assertTrue(table.contains("launches   10 per step → host 0.39 µs per launch"), table);
        assertTrue(table.contains("skipped: too slow here"), table);
    }
}
