package io.bronzecdc.bench.reliability;

import io.bronzecdc.model.event.TableId;
import io.bronzecdc.testkit.workload.AppliedChange;
import io.bronzecdc.testkit.workload.CommittedTransaction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the workload committed, in commit order (one writer connection, so the order its commits returned in is the
 * server's commit order): the history bronze must hold exactly, change by change. A transaction whose commit was in
 * doubt is added once the server confirms it committed.
 */
final class Ledger {
    private final List<CommittedTransaction> transactions = new ArrayList<>();
    private final Map<TableId, Long> changes = new LinkedHashMap<>();

    synchronized void add(CommittedTransaction transaction) {
        transactions.add(transaction);
        for (AppliedChange change : transaction.changes()) {
            changes.merge(change.table(), 1L, Long::sum);
        }
    }

    /** Changes per table committed so far. */
    synchronized Map<TableId, Long> changes() {
        return new LinkedHashMap<>(changes);
    }

    synchronized int transactions() {
        return transactions.size();
    }

    synchronized long totalChanges() {
        return changes.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The changes to {@code table} in commit order, each as {@code op key tx}, the form {@link LedgerCheck} compares. */
    synchronized List<String> history(TableId table) {
        List<String> history = new ArrayList<>();
        for (CommittedTransaction transaction : transactions) {
            for (AppliedChange change : transaction.changes()) {
                if (change.table().equals(table)) {
                    history.add(LedgerCheck.line(String.valueOf(change.op().code()), change.key(), transaction.txId()));
                }
            }
        }
        return history;
    }
}
