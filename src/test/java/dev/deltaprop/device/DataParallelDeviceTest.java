package dev.deltaprop.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.BackendUnavailableException;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.backend.DataParallelBackend;
import dev.deltaprop.model.Network;
import dev.deltaprop.model.Optimizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Data-parallel training on two OpenCL devices, opened as a user opens them
 * ({@code Backends.open("opencl:all")}, {@code "opencl:0=1,1=3"}), equals one device
 * ({@code opencl}, device 0) with the whole batch within 1e-5 after ten steps
 * ({@link DataParallelTest#compare}): every optimizer, a regression and a softmax classifier,
 * equal shares on batches of 32 (dividing), 33 (not) and 1 (one shard empty), and shares 1:3 on
 * 32 (dividing) and 33 (not). The two replicas stay bitwise equal; the overlapped reduction gives
 * the unoverlapped one's numbers bit for bit; the device-to-device reduction (peer copies,
 * emulated) equals one device too. Maven runs this class in an
 * execution of its own whose JVM sees PoCL as two devices ({@code POCL_DEVICES="pthread pthread"},
 * and the system property {@code deltaprop.test.devices=2}, which makes fewer than two devices a
 * failure where {@code DELTAPROP_REQUIRE} names {@code opencl}; elsewhere it is a skip).
 */
class DataParallelDeviceTest {
    private static final Map<String, Backend> OPEN = new HashMap<>();

    /** The backend {@code name} for this class, opened once (a device program build is the slow part). */
    static synchronized Backend shared(String name) {
        Backend backend = OPEN.get(name);
        if (backend == null) {
            requireTwoDevices();
            backend = Backends.open(name);
            OPEN.put(name, backend);
        }
        return backend;
    }

    static void requireTwoDevices() {
        DeviceProvider provider = DeviceBackends.require("opencl");
        List<String> devices = provider.devices();
        if (devices.size() < 2) {
            String why = "two OpenCL devices are needed, found " + devices.size() + " (" + String.join("; ", provider.details())
                    + "); with PoCL: POCL_DEVICES=\"pthread pthread\"";
            if ("2".equals(System.getProperty("deltaprop.test.devices")) && DeviceBackends.required("opencl")) {
                Assertions.fail(why);
            }
            Assumptions.abort(why);
        }
    }

    @AfterAll
    static synchronized void closeAll() {
        OPEN.values().forEach(Backend::close);
        OPEN.clear();
        DataParallelTest.printAgreement();
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        Map<String, List<DataParallelTest.Split>> splits = Map.of(
                "opencl:all", List.of(DataParallelTest.Split.HALVES_32, DataParallelTest.Split.HALVES_33,
                        DataParallelTest.Split.ONE_SAMPLE),
                "opencl:0=1,1=3", List.of(DataParallelTest.Split.QUARTER_32, DataParallelTest.Split.QUARTER_33));
        for (String name : List.of("opencl:all", "opencl:0=1,1=3")) {
            for (Optimizer.Kind kind : Optimizer.Kind.values()) {
                for (LearningAgreementTest.Pairing pairing : List.of(LearningAgreementTest.Pairing.REGRESSION,
                        LearningAgreementTest.Pairing.SOFTMAX)) {
                    for (DataParallelTest.Split split : splits.get(name)) {
                        cases.add(Arguments.of(name, kind, pairing, split));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1}, {2}, {3}")
    @MethodSource("cases")
    void twoDevicesEqualOne(String name, Optimizer.Kind kind, LearningAgreementTest.Pairing pairing,
                            DataParallelTest.Split split) {
        DataParallelBackend parallel = (DataParallelBackend) shared(name);
        Backend single = shared("opencl");
        assertEquals(2, parallel.replicas().size(), parallel.device());
        int[] sizes = parallel.shardSizes(split.batch);
        assertEquals(split.batch, sizes[0] + sizes[1]);
        DataParallelTest.compare(name, single, parallel, kind, pairing, split);
        Network first = parallel.replicas().get(0).network();
        Network second = parallel.replicas().get(1).network();
        for (int l = 0; l < first.depth(); l++) {
            assertArrayEquals(first.layer(l).weights(), second.layer(l).weights(), name + ": replicas' layer " + l + " weights");
            assertArrayEquals(first.layer(l).bias(), second.layer(l).bias(), name + ": replicas' layer " + l + " bias");
        }
    }

    /** The overlapped reduction gives the unoverlapped one's numbers bit for bit on two devices (its own backends: the shared ones stay overlapped). */
    @ParameterizedTest(name = "opencl:all overlapped = whole: {0}, {1}")
    @MethodSource("dev.deltaprop.device.DataParallelTest#overlapCases")
    void overlappedEqualsWholeBitwise(Optimizer.Kind kind, DataParallelTest.Split split) {
        if (split.shares.length != 2) {
            return; // three shares need three devices
        }
        DataParallelBackend overlapped = (DataParallelBackend) shared("opencl:all");
        DataParallelBackend whole = (DataParallelBackend) shared("opencl:0,1");
        whole.overlap(false);
        DataParallelTest.sameBits("opencl:all", overlapped, whole, kind, split);
    }

    /**
     * The device-to-device reduction ({@code PeerExchange}) on the two PoCL devices, whose drivers
     * here act as peers ({@link CountingDriver#emulatePeers}: a peer copy is a read from the one
     * and a write to the other, the only part that is not CUDA's): the engine's peer copies,
     * {@code gradient_total} and their order, with real kernels, equal one device within 1e-5
     * after ten steps (every optimizer; an empty shard; shares 1:3). Which calls reach the
     * replicas, and that none reads a gradient to the host, is {@code DataParallelBackendTest}'s.
     */
    @ParameterizedTest(name = "opencl:0,1 device to device: {0}, {1}")
    @MethodSource("peerCases")
    void peerSumsOnTwoDevicesEqualOneDevice(Optimizer.Kind kind, DataParallelTest.Split split) {
        requireTwoDevices();
        DeviceProvider provider = DeviceBackends.require("opencl");
        List<Backend> replicas = new ArrayList<>();
        List<CountingDriver> drivers = new ArrayList<>();
        for (String device : List.of("0", "1")) {
            CountingDriver driver = new CountingDriver(provider.openDriver(device));
            driver.emulatePeers = true;
            drivers.add(driver);
            replicas.add(new DeviceBackend("opencl", driver));
        }
        try (DataParallelBackend parallel = new DataParallelBackend("opencl:0,1 peers", replicas, split.shares)) {
            DataParallelTest.compare("opencl peers", shared("opencl"), parallel, kind, LearningAgreementTest.Pairing.SOFTMAX,
                    split);
            assertTrue(parallel.peerCopies(), "the emulated peers are taken as peers");
            // replica 0 gathers every layer of every step; the other copies every total back
            assertEquals(DataParallelTest.STEPS * 3, drivers.get(0).peerCopies, "replica 0's copies of the sums");
            assertEquals(DataParallelTest.STEPS * 3, drivers.get(1).peerCopies, "replica 1's copies of the totals");
        }
    }

    static Stream<Arguments> peerCases() {
        List<Arguments> cases = new ArrayList<>();
        for (Optimizer.Kind kind : Optimizer.Kind.values()) {
            cases.add(Arguments.of(kind, DataParallelTest.Split.HALVES_33));
        }
        cases.add(Arguments.of(Optimizer.Kind.ADAM, DataParallelTest.Split.ONE_SAMPLE));
        cases.add(Arguments.of(Optimizer.Kind.SGD, DataParallelTest.Split.QUARTER_32));
        return cases.stream();
    }

    @Test
    void aDeviceThatCannotStartIsNamedAndTheOthersAreClosed() {
        requireTwoDevices();
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> Backends.open("opencl:0,99"));
        assertTrue(e.getMessage().contains("replica 1 (device 99) could not start"), e.getMessage());
        assertTrue(e.getMessage().contains("the 1 opened before it were closed"), e.getMessage());
    }
}
