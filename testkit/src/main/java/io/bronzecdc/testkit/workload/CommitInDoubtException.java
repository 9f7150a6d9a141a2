package io.bronzecdc.testkit.workload;

import java.sql.SQLException;

/**
 * The COMMIT of a workload transaction failed on the client's side (the connection broke, for example when the server
 * restarted), so the server may or may not have committed it. {@link #transaction()} is what it would have committed;
 * ask the server once it is back ({@code pg_xact_status} of {@link CommittedTransaction#txId()}) before counting it.
 */
public final class CommitInDoubtException extends SQLException {
    private static final long serialVersionUID = 1L;

    private final transient CommittedTransaction transaction;

    public CommitInDoubtException(CommittedTransaction transaction, SQLException cause) {
        super("the commit of transaction " + transaction.txId() + " is in doubt: " + cause.getMessage(),
                cause.getSQLState(), cause);
        this.transaction = transaction;
    }

    /** The transaction whose commit is in doubt, with the changes it made. */
    public CommittedTransaction transaction() {
        return transaction;
    }
}
