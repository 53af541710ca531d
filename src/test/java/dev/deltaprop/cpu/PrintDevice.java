package dev.deltaprop.cpu;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.model.Activation;
import dev.deltaprop.model.Network;

/** For {@link AutoTest}: opens cpu in a fresh JVM, prints its device line, and takes one step. */
public final class PrintDevice {
    private PrintDevice() {
    }

    public static void main(String[] args) {
        try (Backend cpu = Backends.open("cpu")) {
            System.out.println(cpu.device());
            cpu.load(Network.builder(3).layer(2, Activation.TANH).build(1));
            float loss = cpu.step(new float[] {1, 2, 3}, new float[] {0, 1}, 1, 0.1f);
            System.out.println(Float.isFinite(loss) ? "step ok" : "step gave " + loss);
        }
    }
}
