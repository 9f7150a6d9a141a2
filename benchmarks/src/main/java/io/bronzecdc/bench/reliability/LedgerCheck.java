package io.bronzecdc.bench.reliability;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SqlNames;
import io.bronzecdc.model.source.SourceCatalog;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The verdict on one run: bronze against the {@link Ledger}, change by change, and the shared validators. Per table,
 * the streamed rows (tx_id set) in lsn order are compared with the ledger's changes to it in commit order, each as
 * {@code op key tx}: a change of the ledger bronze lacks is lost; one bronze holds more often than the ledger is
 * duplicated; one the ledger never committed is unexpected; a row that comes before one committed earlier is out of
 * order. The snapshot rows (tx_id null) must be exactly the table's rows when the slot was created; the lsn dense
 * 1..N; and the validators (replay equals source, commit-time tolerance 0) pass.
 */
final class LedgerCheck {
    private LedgerCheck() {
    }

    /** What a run's check found. */
    record Verdict(long checked, long lost, long duplicated, long unexpected, long outOfOrder, long snapshotMismatch,
            long lsnGaps, List<String> violations, String note) {
        Verdict(long checked, long lost, long duplicated, long unexpected, long outOfOrder, long snapshotMismatch,
                long lsnGaps, List<String> violations) {
            this(checked, lost, duplicated, unexpected, outOfOrder, snapshotMismatch, lsnGaps, violations, null);
        }

        boolean passed() {
            return lost == 0 && duplicated == 0 && unexpected == 0 && outOfOrder == 0 && snapshotMismatch == 0
                    && lsnGaps == 0 && violations.isEmpty();
        }

        String describe() {
            return String.format("%,d changes checked: %d lost, %d duplicated, %d unexpected, %d out of order,"
                    + " %d snapshot rows off, %d lsn gaps, %d validator violations%s", checked, lost, duplicated,
                    unexpected, outOfOrder, snapshotMismatch, lsnGaps, violations.size(),
                    (note == null ? "" : " (" + note + ")") + (violations.isEmpty() ? "" : ":\n  "
                            + String.join("\n  ", violations)));
        }
    }

    static String line(String op, String key, long txId) {
        return op + " " + key + " tx " + txId;
    }

    /** Checks bronze in {@code bronze} against {@code ledger} and the source in {@code source}. */
    static Verdict check(Connection bronze, Connection source, BronzeSchema schema, List<TableId> tables,
            Map<TableId, Long> snapshot, Ledger ledger, String slot, long consistentPoint) throws SQLException {
        // A snapshot cut short before bronze held any of it is taken again from a new slot (the engines drop a slot
        // bronze holds nothing of): then the workload's first transactions are in the new snapshot as rows, not as
        // changes. They are checked as state (replay equals source); the changes after the new point one by one.
        long snapshotPoint = snapshotPoint(bronze, schema, tables);
        boolean retaken = snapshotPoint > 0 && consistentPoint > 0 && snapshotPoint != consistentPoint;
        int from = retaken ? firstStreamed(bronze, schema, tables, ledger) : 0;
        String note = retaken ? "snapshot taken again at " + lsn(snapshotPoint) + " after the slot of "
                + lsn(consistentPoint) + " was dropped; the first " + from + " transactions are in its rows" : null;
        List<String> excusedLate = new ArrayList<>();
        if (retaken) {
            // Commits on one connection are sequential: transaction i commits, then its WAL position is read, then
            // transaction i+1 commits. A position read at or after the new point means transaction i+1 committed
            // after it and must have been streamed; if bronze streamed none of it (it counts among the first
            // `from`), it is lost.
            List<Long> walAfter = ledger.walAfterCommit();
            List<Long> txIds = ledger.txIds();
            for (int i = 0; i + 1 < from; i++) {
                if (walAfter.get(i) >= snapshotPoint) {
                    excusedLate.add("transaction " + txIds.get(i + 1) + " committed after the new snapshot's point "
                            + lsn(snapshotPoint) + " (WAL was at " + lsn(walAfter.get(i)) + " before it) but bronze"
                            + " streamed none of it");
                }
            }
        }
        long checked = 0;
        long lost = 0;
        long duplicated = 0;
        long unexpected = 0;
        long outOfOrder = 0;
        long snapshotMismatch = 0;
        long gaps = 0;
        List<String> violations = new ArrayList<>(excusedLate);
        lost += excusedLate.size();
        for (TableId table : tables) {
            List<String> expected = ledger.history(table, from);
            Comparison comparison = compare(table.toString(), expected, streamed(bronze, source, schema, table),
                    violations);
            checked += expected.size();
            lost += comparison.lost();
            duplicated += comparison.duplicated();
            unexpected += comparison.unexpected();
            outOfOrder += comparison.outOfOrder();
            try (Statement s = bronze.createStatement(); ResultSet rs = s.executeQuery("SELECT coalesce(min(lsn), 1),"
                    + " coalesce(max(lsn), 0), count(*), count(DISTINCT lsn), count(*) FILTER (WHERE tx_id IS NULL)"
                    + " FROM " + schema.tableOf(table))) {
                rs.next();
                long count = rs.getLong(3);
                if (rs.getLong(1) != 1 || rs.getLong(2) != count || rs.getLong(4) != count) {
                    gaps++;
                    violations.add(table + ": lsn not dense 1..N: min " + rs.getLong(1) + ", max " + rs.getLong(2)
                            + ", " + count + " rows, " + rs.getLong(4) + " distinct lsn");
                }
                long snapshotRows = rs.getLong(5);
                if (!retaken && snapshotRows != snapshot.getOrDefault(table, 0L)) {
                    snapshotMismatch += Math.abs(snapshotRows - snapshot.getOrDefault(table, 0L));
                    violations.add(table + ": " + snapshotRows + " snapshot rows, the source held "
                            + snapshot.getOrDefault(table, 0L) + " when the slot was created");
                }
            }
        }
        ValidationReport report = BronzeValidator.validate(bronze, source, schema, tables, ValidationOptions.defaults()
                .withCompareWithSource(true).withCommitTimeTolerance(Duration.ZERO).withSlot(slot));
        report.violations().forEach(v -> violations.add("validator: " + v));
        return new Verdict(checked, lost, duplicated, unexpected, outOfOrder, snapshotMismatch, gaps, violations, note);
    }

    /** What {@link #compare} found in one table's log. */
    record Comparison(long lost, long duplicated, long unexpected, long outOfOrder) {
    }

    /**
     * Compares one table's streamed log ({@code actual}, lsn order) with its history ({@code expected}, commit
     * order), both as {@code op key tx} lines; adds a few examples of what it found to {@code examples}.
     */
    static Comparison compare(String table, List<String> expected, List<String> actual, List<String> examples) {
        long lost = 0;
        long duplicated = 0;
        long unexpected = 0;
        long outOfOrder = 0;
        Map<String, List<Integer>> positions = new HashMap<>();
        for (int i = 0; i < expected.size(); i++) {
            positions.computeIfAbsent(expected.get(i), k -> new ArrayList<>()).add(i);
        }
        Map<String, Integer> seen = new HashMap<>();
        int previous = -1;
        for (String row : actual) {
            List<Integer> at = positions.get(row);
            int occurrence = seen.merge(row, 1, Integer::sum) - 1;
            if (at == null) {
                unexpected++;
                addExample(examples, table + ": bronze holds a change the workload never committed: " + row);
            } else if (occurrence >= at.size()) {
                duplicated++;
                addExample(examples, table + ": duplicated in bronze: " + row);
            } else {
                int position = at.get(occurrence);
                if (position < previous) {
                    outOfOrder++;
                    addExample(examples, table + ": out of order in bronze: " + row);
                }
                previous = Math.max(previous, position);
            }
        }
        for (Map.Entry<String, List<Integer>> entry : positions.entrySet()) {
            int missing = entry.getValue().size() - seen.getOrDefault(entry.getKey(), 0);
            if (missing > 0) {
                lost += missing;
                addExample(examples, table + ": lost (not in bronze): " + entry.getKey());
            }
        }
        return new Comparison(lost, duplicated, unexpected, outOfOrder);
    }

    /** The snapshot rows' source_lsn: the consistent point of the slot that took the snapshot; -1 without rows. */
    private static long snapshotPoint(Connection bronze, BronzeSchema schema, List<TableId> tables)
            throws SQLException {
        long point = -1;
        for (TableId table : tables) {
            try (Statement s = bronze.createStatement(); ResultSet rs = s.executeQuery("SELECT max(source_lsn) FROM "
                    + schema.tableOf(table) + " WHERE tx_id IS NULL")) {
                if (rs.next() && rs.getObject(1) != null) {
                    point = Math.max(point, rs.getLong(1));
                }
            }
        }
        return point;
    }

    /** The commit-order index of the first ledger transaction bronze streamed; the ledger's size if none. */
    private static int firstStreamed(Connection bronze, BronzeSchema schema, List<TableId> tables, Ledger ledger)
            throws SQLException {
        java.util.Set<Long> streamed = new java.util.HashSet<>();
        for (TableId table : tables) {
            try (Statement s = bronze.createStatement(); ResultSet rs = s.executeQuery("SELECT DISTINCT tx_id FROM "
                    + schema.tableOf(table) + " WHERE tx_id IS NOT NULL")) {
                while (rs.next()) {
                    streamed.add(rs.getLong(1));
                }
            }
        }
        List<Long> txIds = ledger.txIds();
        for (int i = 0; i < txIds.size(); i++) {
            if (streamed.contains(txIds.get(i))) {
                return i;
            }
        }
        return txIds.size();
    }

    private static String lsn(long value) {
        return Long.toHexString(value >>> 32).toUpperCase(java.util.Locale.ROOT) + "/"
                + Long.toHexString(value & 0xFFFF_FFFFL).toUpperCase(java.util.Locale.ROOT);
    }

    /** At most a few examples of each run's findings, so a broken run's report stays readable. */
    private static void addExample(List<String> violations, String example) {
        if (violations.size() < 20) {
            violations.add(example);
        }
    }

    /** The streamed rows of {@code table} in lsn order as {@code op key tx}, the key as the workload records it. */
    private static List<String> streamed(Connection bronze, Connection source, BronzeSchema schema, TableId table)
            throws SQLException {
        List<String> primaryKey = SourceCatalog.primaryKey(source, table);
        String key = "jsonb_build_object(" + String.join(", ", primaryKey.stream()
                .map(column -> SqlNames.literal(column) + ", full_row->" + SqlNames.literal(column)).toList())
                + ")::text";
        List<String> rows = new ArrayList<>();
        try (Statement s = bronze.createStatement(); ResultSet rs = s.executeQuery("SELECT op, " + key + ", tx_id"
                + " FROM " + schema.tableOf(table) + " WHERE tx_id IS NOT NULL ORDER BY lsn")) {
            while (rs.next()) {
                rows.add(line(rs.getString(1), rs.getString(2), rs.getLong(3)));
            }
        }
        return rows;
    }
}
