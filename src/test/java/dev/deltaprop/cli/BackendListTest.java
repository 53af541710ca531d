package dev.deltaprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code bench --backend}: device lists keep their commas, and a multi-device backend is compared with one device. */
class BackendListTest {

    @Test
    void deviceListsKeepTheirCommas() {
        assertEquals(List.of("cpu", "opencl"), BackendList.parse("cpu, opencl"));
        assertEquals(List.of("opencl:0,1", "cpu"), BackendList.parse("opencl:0,1,cpu"));
        assertEquals(List.of("cuda:0=3,1=1", "opencl:all"), BackendList.parse("cuda:0=3,1=1,opencl:all"));
        assertEquals(List.of("opencl:pthread,intel"), BackendList.parse("opencl:pthread,intel"));
    }

    @Test
    void aMultiDeviceBackendIsMeasuredBesideOneDevice() {
        assertEquals("opencl", BackendList.singleDevice("opencl:all"));
        assertNull(BackendList.singleDevice("cpu"));
        assertEquals(List.of("opencl:all", "cpu", "opencl"), BackendList.withSingleDevices(List.of("opencl:all", "cpu")));
        assertEquals(List.of("opencl", "opencl:all"), BackendList.withSingleDevices(List.of("opencl", "opencl:all")));
    }

    @Test
    void theScalingIsTheRatioOfSamplesPerSecond() {
        Map<String, Map<String, Double>> rates = new LinkedHashMap<>();
        rates.put("opencl:all", Map.of("tiny", 3000.0));
        rates.put("opencl", Map.of("tiny", 2000.0));
        String table = BackendList.scalingTable("opencl:all", "opencl", rates);
        assertTrue(table.startsWith("scaling of opencl:all against opencl (one device), samples/s:"), table);
        assertTrue(table.contains("tiny") && table.contains("3000") && table.contains("2000") && table.contains("1.50×"), table);
        assertEquals("{\"scaling\":{\"backend\":\"opencl:all\",\"against\":\"opencl\",\"ratio\":{\"tiny\":1.5000}}}",
                BackendList.scalingJson("opencl:all", "opencl", rates));
    }
}
