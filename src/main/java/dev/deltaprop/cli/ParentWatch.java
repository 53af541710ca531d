package dev.deltaprop.cli;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Ties the JVM that {@link VectorRelaunch} starts to the JVM the user started, both ways, so that
 * stopping the visible {@code java} stops the work: a child left behind would keep training and
 * replace the {@code --save} file seconds later, under a supervisor that believes it is gone.
 *
 * <ul>
 * <li>SIGTERM or Ctrl-C of the parent runs its shutdown hooks: {@link #stop} sends the child
 *     SIGTERM (its own hooks then remove a half-written save's temporary file) and, if it has not
 *     ended within {@value #GRACE_SECONDS} s, kills it. The parent's exit status is then the
 *     signal's (143 for SIGTERM), as for any terminated command; otherwise it is the child's.</li>
 * <li>SIGKILL of the parent runs nothing there, so the child watches: the parent passes its pid in
 *     {@value #PARENT_PID}, and a daemon thread of the child checks every
 *     {@value #POLL_MILLIS} ms that this process (same pid and start time) is still its parent,
 *     and exits when it is not. No command reads standard input, but the child keeps the user's
 *     standard input anyway (it inherits the terminal), which is why this does not watch for EOF on
 *     a pipe instead.</li>
 * </ul>
 */
final class ParentWatch {
    /** The environment variable carrying the parent's pid to the relaunched child. */
    static final String PARENT_PID = "DELTAPROP_RELAUNCH_PARENT";
    /** The child's exit status when its parent is gone: 128 + SIGKILL, as if it had been killed with it. */
    static final int PARENT_GONE_STATUS = 137;
    private static final long POLL_MILLIS = 200;
    private static final long GRACE_SECONDS = 5;

    private ParentWatch() {
    }

    /** In the relaunched child: starts the watcher thread; does nothing in any other JVM. */
    static void startIfRelaunched() {
        String expected = System.getenv(PARENT_PID);
        if (expected == null || System.getProperty(VectorRelaunch.CHILD_PROPERTY) == null) {
            return;
        }
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        if (parent.isEmpty() || !String.valueOf(parent.get().pid()).equals(expected.strip())) {
            // the parent died before this JVM got here (this one was adopted by init): stop at once
            parentGone(expected);
            return;
        }
        ProcessHandle launcher = parent.get();
        Thread watcher = new Thread(() -> {
            while (launcher.isAlive()) {
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
            parentGone(expected);
        }, "deltaprop-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static void parentGone(String pid) {
        System.err.println("deltaprop: the java process that started this one (pid " + pid + ") is gone; stopping"
                + " (nothing is saved)");
        // System.exit, not halt: the shutdown hooks remove the temporary file of a save in progress
        System.exit(PARENT_GONE_STATUS);
    }

    /** In the parent's shutdown hook: ends the child, politely first. */
    static void stop(Process child) {
        if (!child.isAlive()) {
            return;
        }
        child.destroy();
        try {
            if (!child.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
                child.destroyForcibly().waitFor(GRACE_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
