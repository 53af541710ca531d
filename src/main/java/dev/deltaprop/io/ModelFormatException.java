package dev.deltaprop.io;

import java.io.IOException;

/**
 * A model file that is not a valid deltaprop model: the message names the place in the file
 * ({@code layers[1].weights[3]: expected 64 numbers, found 63}) and what was expected there.
 */
public class ModelFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
