package io.bronzecdc.testkit.workload;

import java.time.Instant;
import java.util.List;

/**
 * A source transaction the workload committed, with its changes in statement order.
 *
 * @param txId the transaction id ({@code pg_current_xact_id()})
 * @param committedAt when COMMIT returned to the client
 * @param changes the row changes, in the order the statements ran
 */
public record CommittedTransaction(long txId, Instant committedAt, List<AppliedChange> changes) {
    public CommittedTransaction {
        changes = List.copyOf(changes);
    }
}
