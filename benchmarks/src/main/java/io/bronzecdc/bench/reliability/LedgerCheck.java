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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
            long lsnGaps, int validatorViolations, List<String> violations, String note) {
        /** A verdict the validators had no part in (a run that failed before its check). */
        Verdict(long checked, long lost, long duplicated, long unexpected, long outOfOrder, long snapshotMismatch,
                long lsnGaps, List<String> violations) {
            this(checked, lost, duplicated, unexpected, outOfOrder, snapshotMismatch, lsnGaps, 0, violations, null);
        }

        boolean passed() {
            return lost == 0 && duplicated == 0 && unexpected == 0 && outOfOrder == 0 && snapshotMismatch == 0
                    && lsnGaps == 0 && violations.isEmpty();
        }

        String describe() {
            return String.format("%,d changes checked: %d lost, %d duplicated, %d unexpected, %d out of order,"
                    + " %d snapshot rows off, %d lsn gaps, %d validator violations%s", checked, lost, duplicated,
                    unexpected, outOfOrder, snapshotMismatch, lsnGaps, validatorViolations,
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
        long checked = 0;
        long lost = 0;
        long duplicated = 0;
        long unexpected = 0;
        long outOfOrder = 0;
        long snapshotMismatch = 0;
        long gaps = 0;
        List<String> violations = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<Long> walAfter = ledger.walAfterCommit();
        List<Long> txIds = ledger.txIds();
        for (TableId table : tables) {
            // A table whose snapshot rows carry another point than the slot's first consistent point was snapshotted
            // again after a fault cut the first snapshot short: from a new slot (the engines drop a slot bronze
            // holds nothing of), or on its own while the stream resumed for the tables bronze already held (the
            // Flink job brings those in like tables created later). Either way the workload's first changes to it
            // are in that snapshot as rows, not as changes: they are checked as state (replay equals source), and
            // its changes from the first one bronze streamed on, one by one.
            long point = snapshotPoint(bronze, schema, table);
            boolean retaken = point > 0 && consistentPoint > 0 && point != consistentPoint;
            int from = retaken ? firstStreamed(bronze, schema, table, ledger) : 0;
            if (retaken) {
                notes.add(table + " snapshotted again at " + lsn(point) + ", the first " + from
                        + " transactions in its rows");
                // Commits on one connection are sequential: transaction i commits, then its WAL position is read,
                // then transaction i+1 commits. The snapshot's point is read after its snapshot was taken, so a
                // transaction that committed after the WAL passed it cannot be in it and must have been streamed.
                for (int i = 0; i + 1 < from; i++) {
                    if (walAfter.get(i) >= point && touches(ledger, i + 1, table)) {
                        lost++;
                        addExample(violations, table + ": transaction " + txIds.get(i + 1) + " committed after the"
                                + " table's new snapshot point " + lsn(point) + " (WAL was at "
                                + lsn(walAfter.get(i)) + " before it) but bronze streamed none of it");
                    }
                }
            }
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
        return new Verdict(checked, lost, duplicated, unexpected, outOfOrder, snapshotMismatch, gaps,
                report.violations().size(), violations, notes.isEmpty() ? null : String.join("; ", notes));
    }

    private static boolean touches(Ledger ledger, int transaction, TableId table) {
        return ledger.transaction(transaction).changes().stream().anyMatch(change -> change.table().equals(table));
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

    /** The snapshot rows' source_lsn in {@code table}: the point its snapshot was taken at; -1 without rows. */
    private static long snapshotPoint(Connection bronze, BronzeSchema schema, TableId table) throws SQLException {
        try (Statement s = bronze.createStatement(); ResultSet rs = s.executeQuery("SELECT max(source_lsn) FROM "
                + schema.tableOf(table) + " WHERE tx_id IS NULL")) {
            return rs.next() && rs.getObject(1) != null ? rs.getLong(1) : -1;
        }
    }

    /**
     * The commit-order index of the first ledger transaction bronze streamed into {@code table}; the ledger's size if
     * none.
     */
    private static int firstStreamed(Connection bronze, BronzeSchema schema, TableId table, Ledger ledger)
            throws SQLException {
        Set<Long> streamed = new HashSet<>();
        try (Statement s = bronze.createStatement(); ResultSet rs = s.executeQuery("SELECT DISTINCT tx_id FROM "
                + schema.tableOf(table) + " WHERE tx_id IS NOT NULL")) {
            while (rs.next()) {
                streamed.add(rs.getLong(1));
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
