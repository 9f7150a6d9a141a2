package io.bronzecdc.model;

/**
 * A data invariant of the bronze contract broke at runtime: an lsn that is not the next one, a change out of
 * source order, a value the canonical codec cannot represent. The message names the table, what was expected,
 * what was found and what to do.
 */
public class ContractViolationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ContractViolationException(String message) {
        super(message);
    }

    public ContractViolationException(String message, Throwable cause) {
        super(message, cause);
    }
}
