package dev.deltaprop.device.driver;

/** A program did not build; {@link #log()} is the compiler's build log. */
public class KernelBuildException extends DriverException {
    private static final long serialVersionUID = 1L;
    private final String log;

    public KernelBuildException(String message, String log) {
        super(message + (log == null || log.isBlank() ? "" : "\n--- build log ---\n" + log.strip()));
        this.log = log == null ? "" : log;
    }

    public String log() {
        return log;
    }
}
