package io.bronzecdc.model.postgres;

import java.sql.SQLException;

/**
 * A connection to the pipeline's database could not be opened; {@link #getMessage()} is the {@link ConnectionFailure}
 * message (config key, what was found, the fix), the driver's exception is the cause and its SQLState is kept.
 * Engines print the message alone and exit with code 2; the stack trace only with {@code --verbose}.
 */
public final class SourceConnectionException extends SQLException {
    private static final long serialVersionUID = 1L;

    private final ConnectionFailure failure;

    /**
     * @param cause the driver's exception
     */
    public SourceConnectionException(ConnectionFailure failure, SQLException cause) {
        super(failure.message(), cause.getSQLState(), cause.getErrorCode(), cause);
        this.failure = failure;
    }

    /** The explanation this exception's message comes from. */
    public ConnectionFailure failure() {
        return failure;
    }

    /** The kind of failure, which also says whether a retry can help. */
    public ConnectionFailure.Reason reason() {
        return failure.reason();
    }

    /** The driver's exception. */
    @Override
    public synchronized SQLException getCause() {
        return (SQLException) super.getCause();
    }
}
