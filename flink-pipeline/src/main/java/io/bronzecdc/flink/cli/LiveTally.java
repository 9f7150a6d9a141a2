package io.bronzecdc.flink.cli;

import io.bronzecdc.model.event.Op;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.validate.TableStats.OpMix;
import io.bronzecdc.testkit.workload.AppliedChange;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the live workload committed so far, per table and op; the workers add to it concurrently. A transaction
 * counts once its COMMIT returned.
 */
final class LiveTally {
    private final Map<TableId, Map<Op, LongAdder>> changes = new ConcurrentHashMap<>();
    private final LongAdder transactions = new LongAdder();
    private final LongAdder total = new LongAdder();
    private final LongAdder rolledBack = new LongAdder();

    void committed(List<AppliedChange> applied) {
        for (AppliedChange change : applied) {
            changes.computeIfAbsent(change.table(), t -> new ConcurrentHashMap<>())
                    .computeIfAbsent(change.op(), op -> new LongAdder()).increment();
        }
        total.add(applied.size());
        transactions.increment();
    }

    void rolledBack() {
        rolledBack.increment();
    }

    /** Committed transactions. */
    long transactions() {
        return transactions.sum();
    }

    /** Committed row changes, all tables. */
    long changes() {
        return total.sum();
    }

    /** Transactions PostgreSQL rolled back (deadlock between two workers); none of their changes happened. */
    long rolledBackTransactions() {
        return rolledBack.sum();
    }

    /** Committed changes of one table, by op. */
    OpMix ops(TableId table) {
        Map<Op, LongAdder> ops = changes.getOrDefault(table, Map.of());
        return new OpMix(sum(ops, Op.INSERT), sum(ops, Op.UPDATE), sum(ops, Op.DELETE));
    }

    /** Committed changes of one table. */
    long changes(TableId table) {
        OpMix ops = ops(table);
        return ops.inserts() + ops.updates() + ops.deletes();
    }

    private static long sum(Map<Op, LongAdder> ops, Op op) {
        LongAdder adder = ops.get(op);
        return adder == null ? 0 : adder.sum();
    }
}
