package dev.deltaprop.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deltaprop.LogCapture;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A data set too large for its share of device memory stays on the host, and a library user is
 * told so once, at {@code INFO}, through {@code System.Logger}; one that fits is not mentioned.
 */
class DeviceUploadLoggingTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.deltaprop.device.DeviceBackends#engineNames")
    void aDatasetLeftOnTheHostIsLogged(String backend) {
        Network network = Network.builder(3).layer(2, Activation.TANH).build(7);
        // 5 samples × (3 inputs + 2 teachers + 1) floats = 120 bytes
        float[] x = new float[5 * 3];
        float[] d = new float[5 * 2];
        try (LogCapture log = LogCapture.of("dev.deltaprop.device")) {
            try (DeviceBackend fits = DeviceBackends.open(backend)) {
                fits.load(network);
                fits.upload(x, d, 5);
            }
            assertEquals(List.of(), log.messages(Level.INFO));
            try (DeviceBackend tooSmall = DeviceBackends.open(backend, 0.0)) {
                tooSmall.load(network);
                tooSmall.upload(x, d, 5);
            }
            List<String> info = log.messages(Level.INFO);
            assertEquals(1, info.size(), info.toString());
            assertTrue(info.get(0).startsWith(backend + ": the data set (120 bytes) is larger than 0% of the device's "), info.get(0));
            assertTrue(info.get(0).endsWith("it stays on the host, and each batch is uploaded at its step"), info.get(0));
        }
    }
}
