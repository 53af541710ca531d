package dev.deltaprop;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The records one logger tree receives while it is open. {@code System.Logger} goes to
 * {@code java.util.logging} when no other backend is installed, as in the tests, so a JUL handler
 * sees exactly what a library user's logging would.
 */
public final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger;
    private final Level previousLevel;
    private final List<LogRecord> records = new ArrayList<>();

    private LogCapture(String name) {
        logger = Logger.getLogger(name);
        previousLevel = logger.getLevel();
        logger.setLevel(Level.ALL);
        logger.addHandler(this);
    }

    /** Starts capturing everything logged under {@code name} (e.g. {@code dev.deltaprop.backend}). */
    public static LogCapture of(String name) {
        return new LogCapture(name);
    }

    /** The records so far, at {@code level} (JUL's level that {@code System.Logger}'s maps to). */
    public synchronized List<String> messages(Level level) {
        List<String> messages = new ArrayList<>();
        for (LogRecord record : records) {
            if (record.getLevel().equals(level)) {
                messages.add(record.getMessage());
            }
        }
        return messages;
    }

    @Override
    public synchronized void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previousLevel);
    }
}
