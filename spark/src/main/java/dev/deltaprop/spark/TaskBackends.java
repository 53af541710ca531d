package dev.deltaprop.spark;

import dev.deltaprop.backend.Backend;
import dev.deltaprop.backend.Backends;
import dev.deltaprop.cpu.CpuBackend;

/**
 * The backend a training task opens on its executor. {@code auto} is the core library's choice
 * (a CUDA or OpenCL GPU when the executor has one, else {@code cpu}); whenever the choice is
 * {@code cpu}, it gets {@code spark.task.cpus} threads, not every core of the machine, because the
 * executor runs as many tasks at once as it has cores and more threads than cores only queue.
 */
final class TaskBackends {
    private TaskBackends() {
    }

    static Backend open(String name, int taskCpus) {
        if (name.equals("cpu")) {
            return new CpuBackend(taskCpus);
        }
        Backend backend = Backends.open(name);
        if (backend.name().equals("cpu")) {
            backend.close();
            return new CpuBackend(taskCpus);
        }
        return backend;
    }
}
