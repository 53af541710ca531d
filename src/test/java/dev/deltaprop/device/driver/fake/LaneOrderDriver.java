package dev.deltaprop.device.driver.fake;

import dev.deltaprop.device.driver.NativeDriver;
import dev.deltaprop.device.driver.ProgramSource;
import dev.deltaprop.device.driver.Releases;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A fake binding with an upload lane whose two queues really run apart, in the order least
 * favourable to the caller, to catch a missing fence: commands are kept, not run, and one queue
 * runs as far ahead as its waits allow while the other runs only when the host waits (a read, a
 * finish). {@link Ahead#LANE}: every upload runs at once unless it waits for a fence, so one that
 * should have waited for the kernels reading its target overwrites that buffer under them;
 * {@link Ahead#QUEUE}: every kernel runs at once unless the queue awaits a fence, so one that
 * should have waited for its batch's upload reads the buffer first.
 *
 * <p>Whatever the schedule, the driver checks the one rule a single in-order queue would keep:
 * a copy or kernel that touches a buffer never runs before one enqueued earlier (host order)
 * that touches it on the other queue. Each breach is written to {@link #violations}. Kernels run
 * as nothing (as {@link FakeDriver#forEngine()}'s unknown ones): what is checked is the order.
 */
public final class LaneOrderDriver extends NativeDriver<float[], String, String, Long> {
    /** Which queue runs ahead. */
    public enum Ahead { LANE, QUEUE }

    /** Every breach of host order found, in words. */
    public final List<String> violations = new ArrayList<>();
    private final Ahead ahead;
    private final ArrayDeque<Command> queue = new ArrayDeque<>();
    private final ArrayDeque<Command> lane = new ArrayDeque<>();
    private long sequence;

    /** One signal of a fence: done once the command that signals it has run. */
    private static final class Token {
        boolean done;
    }

    /** A fence's holder: the token of its last signal, {@code null} before the first. */
    private static final class Holder {
        Token last;
    }

    private static final class Command {
        final long sequence;
        final String what;
        /** The buffers it touches. */
        final List<float[]> buffers = new ArrayList<>();
        /** A copy: where, and the values taken from the host when it was enqueued. */
        float[] target;
        long targetOffset;
        float[] values;
        /** A signal: the token it completes; a wait: the token it waits for. */
        Token signals;
        Token waits;

        Command(long sequence, String what) {
            this.sequence = sequence;
            this.what = what;
        }
    }

    public LaneOrderDriver(Ahead ahead) {
        super("fake lanes 1.0");
        this.ahead = ahead;
    }

    private Command command(String what) {
        return new Command(++sequence, what);
    }

    private void enqueue(Command command, boolean onLane) {
        (onLane ? lane : queue).add(command);
        if ((ahead == Ahead.LANE) == onLane) {
            drain(onLane ? lane : queue);
        }
    }

    /** Runs the queue's commands in order until one waits for a fence not yet signalled. */
    private boolean drain(ArrayDeque<Command> commands) {
        return run(commands, Integer.MAX_VALUE);
    }

    /** Runs at most {@code most} of the queue's commands in order, stopping at one that waits for a fence not yet signalled. */
    private boolean run(ArrayDeque<Command> commands, int most) {
        boolean ran = false;
        for (int k = 0; k < most && !commands.isEmpty(); k++) {
            Command next = commands.peek();
            if (next.waits != null && !next.waits.done) {
                return ran;
            }
            commands.poll();
            check(next, commands == queue ? lane : queue);
            if (next.target != null) {
                System.arraycopy(next.values, 0, next.target, (int) next.targetOffset, next.values.length);
            }
            if (next.signals != null) {
                next.signals.done = true;
            }
            ran = true;
        }
        return ran;
    }

    /** {@code command} is about to run: no command of the other queue enqueued before it may touch its buffers. */
    private void check(Command command, ArrayDeque<Command> other) {
        for (Command earlier : other) {
            if (earlier.sequence > command.sequence) {
                break;
            }
            for (float[] buffer : command.buffers) {
                for (float[] touched : earlier.buffers) {
                    if (buffer == touched) {
                        violations.add(command.what + " (#" + command.sequence + ") ran before " + earlier.what + " (#"
                                + earlier.sequence + "), enqueued before it on the other queue, on the same buffer");
                    }
                }
            }
        }
    }

    /**
     * Runs both queues until both are empty (the host waits), still in the order least favourable
     * to the caller: the queue that runs ahead as far as it can, the other one command at a time.
     */
    private void drainAll() {
        ArrayDeque<Command> first = ahead == Ahead.LANE ? lane : queue;
        ArrayDeque<Command> second = ahead == Ahead.LANE ? queue : lane;
        while (!queue.isEmpty() || !lane.isEmpty()) {
            boolean ran = drain(first) | run(second, 1);
            if (!ran) {
                throw new IllegalStateException("fake lanes: both queues wait for fences never signalled");
            }
        }
    }

    private void copy(boolean onLane, float[] target, long targetOffset, float[] values) {
        Command command = command((onLane ? "upload" : "write") + " of " + values.length);
        command.target = target;
        command.targetOffset = targetOffset;
        command.values = values;
        command.buffers.add(target);
        enqueue(command, onLane);
    }

    @Override
    protected float[] allocateNative(long bytes) {
        return new float[Math.toIntExact(bytes / Float.BYTES)];
    }

    @Override
    protected void writeNative(float[] target, long targetOffset, float[] source, int sourceOffset, int count) {
        copy(false, target, targetOffset, java.util.Arrays.copyOfRange(source, sourceOffset, sourceOffset + count));
    }

    @Override
    protected void writeNative(float[] target, long targetOffset, FloatBuffer source, int count) {
        float[] values = new float[count];
        source.get(source.position(), values, 0, count);
        copy(false, target, targetOffset, values);
    }

    @Override
    protected void writeNative(float[] target, long targetOffset, int[] source, int sourceOffset, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = Float.intBitsToFloat(source[sourceOffset + i]);
        }
        copy(false, target, targetOffset, values);
    }

    @Override
    protected void readNative(float[] source, long sourceOffset, float[] target, int targetOffset, int count) {
        drainAll();
        System.arraycopy(source, (int) sourceOffset, target, targetOffset, count);
    }

    @Override
    protected String buildNative(ProgramSource source, Map<String, String> defines) {
        return source.name();
    }

    @Override
    protected String kernelNative(String program, String programName, String name) {
        return name;
    }

    @Override
    protected void launchNative(String kernel, String name, int[] groups, int[] groupSize, Object[] arguments) {
        Command command = command("kernel " + name);
        for (Object argument : arguments) {
            if (argument instanceof Memory memory) {
                command.buffers.add(handle(memory));
            }
        }
        enqueue(command, false);
    }

    @Override
    protected boolean uploadLaneNative() {
        return true;
    }

    @Override
    protected Object fenceNative() {
        return new Holder();
    }

    @Override
    protected void releaseFence(Object fence) {
    }

    private void signal(Object fence, boolean onLane) {
        Command command = command("signal on the " + (onLane ? "lane" : "queue"));
        command.signals = new Token();
        ((Holder) fence).last = command.signals;
        enqueue(command, onLane);
    }

    private void await(Object fence, boolean onLane) {
        Command command = command("wait on the " + (onLane ? "lane" : "queue"));
        command.waits = ((Holder) fence).last;
        enqueue(command, onLane);
    }

    @Override
    protected void laneWaitNative(Object fence) {
        await(fence, true);
    }

    @Override
    protected void laneWriteNative(float[] target, long targetOffset, float[] source, int sourceOffset, int count) {
        copy(true, target, targetOffset, java.util.Arrays.copyOfRange(source, sourceOffset, sourceOffset + count));
    }

    @Override
    protected void laneWriteNative(float[] target, long targetOffset, FloatBuffer source, int count) {
        float[] values = new float[count];
        source.get(source.position(), values, 0, count);
        copy(true, target, targetOffset, values);
    }

    @Override
    protected void laneSignalNative(Object fence) {
        signal(fence, true);
    }

    @Override
    protected void signalNative(Object fence) {
        signal(fence, false);
    }

    @Override
    protected void awaitNative(Object fence) {
        await(fence, false);
    }

    @Override
    protected void laneFinishNative() {
        drainAll();
    }

    @Override
    protected void finishNative() {
        drainAll();
    }

    @Override
    protected Long markNative() {
        return System.nanoTime();
    }

    @Override
    protected long elapsedNanosNative(Long start, Long end) {
        return end - start;
    }

    @Override
    protected void quiesce() {
        drainAll();
    }

    @Override
    protected void releaseMark(Long mark) {
    }

    @Override
    protected void releaseBuffer(float[] buffer) {
    }

    @Override
    protected void releaseProgram(String program) {
    }

    @Override
    protected void releaseDevice(Releases releases) {
    }

    @Override
    public String deviceName() {
        return "fake device with an upload lane";
    }

    @Override
    public String deviceVersion() {
        return "host memory, two queues";
    }

    @Override
    public DeviceType deviceType() {
        return DeviceType.OTHER;
    }

    @Override
    public Language language() {
        return Language.OPENCL_C;
    }

    @Override
    public long globalMemoryBytes() {
        return 1L << 30;
    }

    @Override
    public int maxGroupSize() {
        return 256;
    }

    @Override
    public int computeUnits() {
        return 1;
    }
}
