package dev.deltaprop.device.driver.opencl;

import dev.deltaprop.device.driver.KernelBuildException;
import dev.deltaprop.device.driver.NativeDriver;
import dev.deltaprop.device.driver.ProgramSource;
import java.util.Map;

/**
 * What both OpenCL bindings' drivers share above {@link NativeDriver}: one device, one context,
 * one in-order queue with profiling enabled (so that a mark can be timed); the device described
 * by discovery; build options from the defines and a build failure that carries the log; and
 * marks as marker events that are read once and released at once, keeping their time.
 *
 * @param <V> the binding's {@code cl_event}
 */
public abstract class OpenClDriver<B, P, K, V> extends NativeDriver<B, P, K, OpenClDriver.Event<V>> {
    private final OpenClDeviceChoice.Candidate device;
    private final long globalMemoryBytes;
    private final int maxGroupSize;

    protected OpenClDriver(String binding, OpenClDeviceChoice.Candidate device, long globalMemoryBytes, long maxGroupSize) {
        super(binding);
        this.device = device;
        this.globalMemoryBytes = globalMemoryBytes;
        this.maxGroupSize = (int) Math.min(Integer.MAX_VALUE, maxGroupSize);
    }

    /** A marker event until it is read, then only its time. */
    public static final class Event<V> {
        V event;
        long nanos;

        Event(V event) {
            this.event = event;
        }
    }

    /** Enqueues a marker on the queue (after everything before it). */
    protected abstract V enqueueMarker();

    /** Waits for {@code event}, then its {@code CL_PROFILING_COMMAND_END} in nanoseconds. */
    protected abstract long endNanos(V event);

    protected abstract void releaseEvent(V event);

    @Override
    protected final Event<V> markNative() {
        return new Event<>(enqueueMarker());
    }

    @Override
    protected final long elapsedNanosNative(Event<V> start, Event<V> end) {
        return time(end) - time(start);
    }

    /** The mark's device time; its event is released once read, so that marks do not pile up in a long run. */
    private long time(Event<V> mark) {
        if (mark.event != null) {
            mark.nanos = endNanos(mark.event);
            V event = mark.event;
            mark.event = null;
            releaseEvent(event);
        }
        return mark.nanos;
    }

    @Override
    protected final boolean spent(Event<V> mark) {
        return mark.event == null;
    }

    @Override
    protected final void releaseMark(Event<V> mark) {
        if (mark.event != null) {
            V event = mark.event;
            mark.event = null;
            releaseEvent(event);
        }
    }

    /** {@code -DNAME=value} for each define, space-separated: the options of {@code clBuildProgram}. */
    protected static String options(Map<String, String> defines) {
        StringBuilder options = new StringBuilder();
        defines.forEach((name, value) -> options.append("-D").append(name).append('=').append(value).append(' '));
        return options.toString().trim();
    }

    /** {@code clBuildProgram(kernels/mlp.cl, -DTM=64): CL_BUILD_PROGRAM_FAILURE (-11) on DEVICE}, with the compiler's log. */
    protected final KernelBuildException buildFailure(ProgramSource source, String options, int status, String log) {
        return new KernelBuildException("clBuildProgram(" + source.name() + ", " + options + "): " + ClStatus.name(status)
                + " on " + device.name(), log);
    }

    @Override
    public final String deviceName() {
        return device.name();
    }

    @Override
    public final String deviceVersion() {
        return device.platformName() + ", " + device.version();
    }

    @Override
    public final DeviceType deviceType() {
        return device.type();
    }

    @Override
    public final Language language() {
        return Language.OPENCL_C;
    }

    @Override
    public final long globalMemoryBytes() {
        return globalMemoryBytes;
    }

    @Override
    public final int maxGroupSize() {
        return maxGroupSize;
    }

    @Override
    public final String toString() {
        return binding() + " on " + device.describe();
    }
}
