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
    /** Per transaction, the server's WAL insert position read right after its commit returned; -1 when unknown. */
    private final List<Long> walAfterCommit = new ArrayList<>();
    private final Map<TableId, Long> changes = new LinkedHashMap<>();

    synchronized void add(CommittedTransaction transaction, long walAfter) {
        transactions.add(transaction);
        walAfterCommit.add(walAfter);
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

    /** The last committed transaction that changed each table: bronze holds everything once it holds these. */
    synchronized Map<TableId, Long> lastTransactions() {
        Map<TableId, Long> last = new LinkedHashMap<>();
        for (CommittedTransaction transaction : transactions) {
            transaction.changes().forEach(change -> last.put(change.table(), transaction.txId()));
        }
        return last;
    }

    /** The WAL positions read right after each commit, in commit order (-1 where unknown). */
    synchronized List<Long> walAfterCommit() {
        return List.copyOf(walAfterCommit);
    }

    /** The WAL position read right after transaction {@code txId} committed; -1 when unknown. */
    synchronized long walAfterCommit(long txId) {
        for (int i = transactions.size() - 1; i >= 0; i--) {
            if (transactions.get(i).txId() == txId) {
                return walAfterCommit.get(i);
            }
        }
        return -1;
    }

    /** The {@code index}-th committed transaction, in commit order. */
    synchronized CommittedTransaction transaction(int index) {
        return transactions.get(index);
    }

    /** The transaction ids in commit order. */
    synchronized List<Long> txIds() {
        return transactions.stream().map(CommittedTransaction::txId).toList();
    }

    /** The changes to {@code table} in commit order as {@code op key tx} lines, which {@link LedgerCheck} compares. */
    synchronized List<String> history(TableId table) {
        return history(table, 0);
    }

    /** As {@link #history(TableId)}, from the {@code from}-th transaction on. */
    synchronized List<String> history(TableId table, int from) {
        List<String> history = new ArrayList<>();
        for (CommittedTransaction transaction : transactions.subList(from, transactions.size())) {
            for (AppliedChange change : transaction.changes()) {
                if (change.table().equals(table)) {
                    history.add(LedgerCheck.line(String.valueOf(change.op().code()), change.key(), transaction.txId()));
                }
            }
        }
        return history;
    }
}
