package dev.deltaprop.device;

import dev.deltaprop.device.driver.Driver;
import dev.deltaprop.device.driver.Driver.Memory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * A fixed sequence of kernel launches, recorded once from the code that would launch them and
 * enqueued again as often as wanted: each launch keeps its kernel, its grid and its argument
 * array (the numbers boxed once, at recording), and the {@link StepTimer} family marks between
 * the launches are kept in their places. {@link #run} hands the driver the same arrays every
 * time, so a run allocates nothing on the Java heap; a driver sets only the arguments that
 * differ from its kernel's last launch. The one thing that may change between runs is an
 * argument that {@link #argument} replaces in place (the row offset of a gather).
 *
 * <p>A plan holds buffers, so it is valid only while they live: whoever frees one (a larger
 * batch, a grown split-K buffer) makes the plans that use it stale, and their owner
 * ({@link StepPlans}, {@link BatchInput}) records them again. A plan is recorded by
 * {@link #record}: while its {@link Recorder} is set on {@link Kernels} and the {@link StepTimer},
 * launches and marks go to it instead of the device.
 */
final class LaunchPlan implements IntSupplier {
    private final Driver driver;
    private final StepTimer timer;
    private final Driver.Kernel[] kernels;
    private final int[][] groups;
    private final int[][] groupSizes;
    private final Object[][] arguments;
    /** Mark {@code m} is placed once {@code markAfter[m]} launches of the plan are enqueued. */
    private final int[] markAfter;
    private final String[] markFamily;

    private LaunchPlan(Driver driver, StepTimer timer, Recorder recorder) {
        this.driver = driver;
        this.timer = timer;
        int n = recorder.kernels.size();
        kernels = recorder.kernels.toArray(new Driver.Kernel[n]);
        groups = recorder.groups.toArray(new int[n][]);
        groupSizes = recorder.groupSizes.toArray(new int[n][]);
        arguments = recorder.arguments.toArray(new Object[n][]);
        markAfter = recorder.markAfter.stream().mapToInt(Integer::intValue).toArray();
        markFamily = recorder.markFamily.toArray(new String[0]);
    }

    /**
     * Records what {@code launches} would enqueue through {@code kernels} (and mark on
     * {@code timer}) as a plan, enqueuing nothing; buffers it allocates (a split-K buffer) are
     * allocated, so a plan recorded while one grew may hold the buffer it replaced: see
     * {@link #uses}.
     */
    static LaunchPlan record(Driver driver, Kernels kernels, StepTimer timer, Runnable launches) {
        Recorder recorder = new Recorder();
        kernels.recordInto(recorder);
        timer.recordInto(recorder);
        try {
            launches.run();
        } finally {
            kernels.recordInto(null);
            timer.recordInto(null);
        }
        return recorder.plan(driver, timer);
    }

    /** Enqueues every launch in its order, placing the family marks between them (where profiling is on). */
    int run() {
        int m = 0;
        while (m < markAfter.length && markAfter[m] == 0) {
            timer.family(markFamily[m++]);
        }
        for (int k = 0; k < kernels.length; k++) {
            driver.launch(kernels[k], groups[k], groupSizes[k], arguments[k]);
            while (m < markAfter.length && markAfter[m] == k + 1) {
                timer.family(markFamily[m++]);
            }
        }
        return kernels.length;
    }

    /** {@link #run}: a plan is the launches a {@link StepGraph} captures, with no lambda around it. */
    @Override
    public int getAsInt() {
        return run();
    }

    /** The launches a run enqueues. */
    int launches() {
        return kernels.length;
    }

    /** Replaces argument {@code index} of launch {@code launch} for the runs from now on. */
    void argument(int launch, int index, Object value) {
        arguments[launch][index] = value;
    }

    /** Whether some launch of the plan takes {@code memory} (compared by identity) as an argument. */
    boolean uses(Memory memory) {
        if (memory == null) {
            return false;
        }
        for (Object[] launch : arguments) {
            for (Object argument : launch) {
                if (argument == memory) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Collects the launches and family marks of the code run while it is set on {@link Kernels}
     * and the {@link StepTimer} ({@code Kernels.record}); nothing reaches the device meanwhile.
     */
    static final class Recorder {
        private final List<Driver.Kernel> kernels = new ArrayList<>();
        private final List<int[]> groups = new ArrayList<>();
        private final List<int[]> groupSizes = new ArrayList<>();
        private final List<Object[]> arguments = new ArrayList<>();
        private final List<Integer> markAfter = new ArrayList<>();
        private final List<String> markFamily = new ArrayList<>();

        /** A launch, kept with its own copies of the grid and the arguments. */
        void launch(Driver.Kernel kernel, int[] groups, int[] groupSize, Object[] arguments) {
            this.kernels.add(kernel);
            this.groups.add(groups.clone());
            this.groupSizes.add(groupSize.clone());
            this.arguments.add(arguments.clone());
        }

        /** The launches since the previous mark were {@code family}'s. */
        void family(String family) {
            markAfter.add(kernels.size());
            markFamily.add(family);
        }

        private LaunchPlan plan(Driver driver, StepTimer timer) {
            return new LaunchPlan(driver, timer, this);
        }
    }
}
