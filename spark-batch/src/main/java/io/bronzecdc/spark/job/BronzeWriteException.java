package io.bronzecdc.spark.job;

import java.sql.SQLException;

/** Carries a bronze write failure out of a snapshot reader's callback, to be rethrown as the SQLException it is. */
final class BronzeWriteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BronzeWriteException(SQLException cause) {
        super(cause);
    }

    @Override
    public synchronized SQLException getCause() {
        return (SQLException) super.getCause();
    }
}
