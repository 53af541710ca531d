package dev.deltaprop.io;

import java.io.IOException;

/** A data file that cannot be read as samples: the message names the file, line and column. */
public class DataFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public DataFormatException(String message) {
        super(message);
    }
}
