package dev.deltaprop.backend;

/**
 * A backend that exists in deltaprop but cannot start here; the message says why in words a
 * user can act on (which library was not found, which driver version is needed).
 */
public class BackendUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackendUnavailableException(String message) {
        super(message);
    }

    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
