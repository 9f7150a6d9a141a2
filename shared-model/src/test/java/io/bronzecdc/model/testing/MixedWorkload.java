package io.bronzecdc.model.testing;

import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SqlNames;
import io.bronzecdc.model.testing.MixedDatabase.Column;
import io.bronzecdc.model.testing.MixedDatabase.Kind;
import io.bronzecdc.model.testing.MixedDatabase.Table;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded I/U/D workload on the tables of a {@link MixedDatabase}, captured or not: transactions of 1 to 5
 * statements, about one in ten rolled back. Keyed tables get inserts, updates of non-key columns, updates of the key
 * (tables marked {@code keyChanges}; each is a D and an I in bronze) and deletes; the keyless table gets inserts
 * (sometimes a duplicate of a row it has), updates of every row with a chosen value (each row a D and an I) and
 * deletes of one of possibly several equal rows. Values cover NULLs, defaults, quotes, backslashes, non-ASCII text,
 * NaN and extremes, within what both engines carry (dates 2000..2030).
 *
 * <p>It counts, per table, the bronze rows the committed changes must give ({@link #bronzeRows()}), so a test can
 * wait for exactly that many. Runs on its own connection (auto-commit off while it runs).
 */
public final class MixedWorkload {
    static final int FIRST_YEAR = 2024;
    static final int LAST_YEAR = 2026;

    private final Connection connection;
    private final MixedDatabase database;
    private final Random random;
    private final Map<TableId, Long> bronzeRows = new LinkedHashMap<>();
    private final Map<TableId, List<List<String>>> liveKeys = new HashMap<>();
    private long nextKey = 1;
    private int transactions;
    private int rolledBack;

    public MixedWorkload(Connection connection, MixedDatabase database, long seed) {
        this.connection = connection;
        this.database = database;
        this.random = new Random(seed);
        for (Table table : database.tables()) {
            bronzeRows.put(table.id(), 0L);
            liveKeys.put(table.id(), new ArrayList<>());
        }
    }

    /** Inserts {@code rows} rows into every table in one committed transaction. */
    public MixedWorkload populate(int rows) throws SQLException {
        Pending pending = new Pending();
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            for (Table table : database.tables()) {
                for (int i = 0; i < rows; i++) {
                    insert(s, table, pending, false);
                }
            }
        }
        commit(pending);
        return this;
    }

    /** Runs {@code count} transactions. */
    public MixedWorkload run(int count) throws SQLException {
        connection.setAutoCommit(false);
        for (int t = 0; t < count; t++) {
            Pending pending = new Pending();
            try (Statement s = connection.createStatement()) {
                for (int statements = 1 + random.nextInt(5); statements > 0; statements--) {
                    Table table = database.tables().get(random.nextInt(database.tables().size()));
                    int action = random.nextInt(10);
                    if (action < 4) {
                        insert(s, table, pending, true);
                    } else if (action < 8) {
                        update(s, table, pending);
                    } else {
                        delete(s, table, pending);
                    }
                }
            }
            if (random.nextInt(10) == 0) {
                connection.rollback();
                rolledBack++;
            } else {
                commit(pending);
            }
        }
        connection.setAutoCommit(true);
        return this;
    }

    /**
     * The bronze rows the committed changes give per captured table (snapshot rows included when the pipeline starts
     * after {@link #populate}): one per insert, delete and key-keeping update of a keyed table, two per key-changing
     * update and per updated row of a keyless table.
     */
    public Map<TableId, Long> bronzeRows() {
        Map<TableId, Long> captured = new LinkedHashMap<>();
        for (Table table : database.tables()) {
            if (table.captured()) {
                captured.put(table.id(), bronzeRows.get(table.id()));
            }
        }
        return captured;
    }

    /** Committed transactions so far (populate included). */
    public int committedTransactions() {
        return transactions;
    }

    /** Transactions rolled back so far. */
    public int rolledBack() {
        return rolledBack;
    }

    private void insert(Statement s, Table table, Pending pending, boolean maybeDuplicate) throws SQLException {
        if (table.keyless() && maybeDuplicate && random.nextInt(3) == 0) {
            String all = columnList(table.columns());
            int n = s.executeUpdate("INSERT INTO " + table.id().quoted() + " (" + all + ") SELECT " + all + " FROM "
                    + table.id().quoted() + " LIMIT 1");
            pending.rows(table, n);
            return;
        }
        List<Column> columns = new ArrayList<>();
        List<String> values = new ArrayList<>();
        List<String> key = newKey(table);
        int k = 0;
        for (Column c : table.columns()) {
            if (c.key()) {
                columns.add(c);
                values.add(key.get(k++));
            } else if (c.defaultSql() == null || random.nextInt(2) == 0) {
                columns.add(c);
                values.add(value(c));
            }
        }
        s.executeUpdate("INSERT INTO " + table.id().quoted() + " (" + columnList(columns) + ") VALUES ("
                + String.join(", ", values) + ")");
        pending.rows(table, 1);
        if (!table.keyless()) {
            pending.added(table, key);
        }
    }

    private void update(Statement s, Table table, Pending pending) throws SQLException {
        List<Column> others = table.columns().stream().filter(c -> !c.key()).toList();
        if (table.keyless()) {
            Column target = others.get(random.nextInt(others.size()));
            Column match = others.get(random.nextInt(others.size()));
            int n = s.executeUpdate("UPDATE " + table.id().quoted() + " SET " + SqlNames.quote(target.name()) + " = "
                    + value(target) + " WHERE " + SqlNames.quote(match.name()) + " IN (SELECT "
                    + SqlNames.quote(match.name()) + " FROM " + table.id().quoted() + " LIMIT 1)");
            pending.rows(table, 2L * n);
            return;
        }
        List<String> key = pending.pick(table, random);
        if (key == null) {
            return;
        }
        List<String> sets = new ArrayList<>();
        for (Column c : others) {
            if (sets.isEmpty() || random.nextBoolean()) {
                String v = c.defaultSql() != null && random.nextInt(5) == 0 ? "DEFAULT" : value(c);
                sets.add(SqlNames.quote(c.name()) + " = " + v);
            }
        }
        List<String> newKey = null;
        if (table.keyChanges() && random.nextInt(3) == 0) {
            newKey = newKey(table);
            List<Column> keyColumns = table.key();
            for (int i = 0; i < keyColumns.size(); i++) {
                sets.add(SqlNames.quote(keyColumns.get(i).name()) + " = " + newKey.get(i));
            }
        }
        int n = s.executeUpdate("UPDATE " + table.id().quoted() + " SET " + String.join(", ", sets) + where(table, key));
        if (n != 1) {
            throw new IllegalStateException("update of " + table.id() + " key " + key + " changed " + n + " rows");
        }
        if (newKey == null) {
            pending.rows(table, 1);
        } else {
            pending.rows(table, 2);
            pending.removed(table, key);
            pending.added(table, newKey);
        }
    }

    private void delete(Statement s, Table table, Pending pending) throws SQLException {
        if (table.keyless()) {
            int n = s.executeUpdate("DELETE FROM " + table.id().quoted() + " WHERE ctid = (SELECT ctid FROM "
                    + table.id().quoted() + " LIMIT 1)");
            pending.rows(table, n);
            return;
        }
        List<String> key = pending.pick(table, random);
        if (key == null) {
            return;
        }
        int n = s.executeUpdate("DELETE FROM " + table.id().quoted() + where(table, key));
        if (n != 1) {
            throw new IllegalStateException("delete of " + table.id() + " key " + key + " removed " + n + " rows");
        }
        pending.rows(table, 1);
        pending.removed(table, key);
    }

    private static String where(Table table, List<String> key) {
        List<Column> keyColumns = table.key();
        List<String> terms = new ArrayList<>();
        for (int i = 0; i < keyColumns.size(); i++) {
            terms.add(SqlNames.quote(keyColumns.get(i).name()) + " = " + key.get(i));
        }
        return " WHERE " + String.join(" AND ", terms);
    }

    private List<String> newKey(Table table) {
        List<String> key = new ArrayList<>();
        for (Column c : table.key()) {
            key.add(switch (c.kind()) {
                case DATE -> "DATE '" + (FIRST_YEAR + random.nextInt(LAST_YEAR - FIRST_YEAR + 1)) + "-"
                        + two(1 + random.nextInt(12)) + "-" + two(1 + random.nextInt(28)) + "'";
                case INT, BIGINT -> Long.toString(nextKey++);
                default -> throw new IllegalStateException("no key values of " + c.kind());
            });
        }
        return key;
    }

    private String value(Column c) {
        if (random.nextInt(8) == 0) {
            return "NULL";
        }
        return switch (c.kind()) {
            case INT -> pick(Integer.toString(random.nextInt(2_000_001) - 1_000_000), "2147483647", "-2147483648", "0");
            case BIGINT -> pick(Long.toString(random.nextLong() % 1_000_000_000_000L), "9223372036854775807", "0");
            case TEXT -> SqlNames.literal(pick("plain", "", "it's \"quoted\"", "back\\slash", "tab\tand\nnewline",
                    "naïve café ☕", "日本語", "x".repeat(1 + random.nextInt(300)), "null", "NULL"));
            case NUMERIC -> pick((random.nextInt(2_000_000_001) - 1_000_000_000) / 100.0 + "", "0.00", "-0.01",
                    "9999999999.99", "12.5");
            case FLOAT -> pick(Double.toString(random.nextGaussian() * 1e6), "'NaN'::float8", "'-0'::float8",
                    "1e308", "5e-324", "0.1");
            case BOOL -> random.nextBoolean() ? "true" : "false";
            case DATE -> "DATE '" + (2000 + random.nextInt(31)) + "-" + two(1 + random.nextInt(12)) + "-"
                    + two(1 + random.nextInt(28)) + "'";
            case TIMESTAMPTZ -> "TIMESTAMPTZ '" + (2000 + random.nextInt(31)) + "-" + two(1 + random.nextInt(12))
                    + "-" + two(1 + random.nextInt(28)) + " " + two(random.nextInt(24)) + ":" + two(random.nextInt(60))
                    + ":" + two(random.nextInt(60)) + "." + random.nextInt(1_000_000) + "+0" + random.nextInt(10) + "'";
            case JSONB -> SqlNames.literal(pick("{}", "[]", "{\"a\": 1, \"b\": [true, null, \"x\"]}", "\"text\"",
                    "{\"nested\": {\"é\": 1.50, \"k\": \"it's\"}}", "12345678901234567890", "null")) + "::jsonb";
        };
    }

    private String pick(String... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static String two(int n) {
        return n < 10 ? "0" + n : Integer.toString(n);
    }

    private static String columnList(List<Column> columns) {
        return String.join(", ", columns.stream().map(c -> SqlNames.quote(c.name())).toList());
    }

    private void commit(Pending pending) throws SQLException {
        connection.commit();
        transactions++;
        pending.rows.forEach((table, n) -> bronzeRows.merge(table, n, Long::sum));
        pending.removed.forEach((table, keys) -> liveKeys.get(table).removeAll(keys));
        pending.added.forEach((table, keys) -> liveKeys.get(table).addAll(keys));
    }

    /** The effects of the open transaction, applied to the counts and live keys only when it commits. */
    private final class Pending {
        final Map<TableId, Long> rows = new HashMap<>();
        final Map<TableId, List<List<String>>> added = new HashMap<>();
        final Map<TableId, List<List<String>>> removed = new HashMap<>();

        void rows(Table table, long n) {
            rows.merge(table.id(), n, Long::sum);
        }

        void added(Table table, List<String> key) {
            added.computeIfAbsent(table.id(), t -> new ArrayList<>()).add(key);
        }

        void removed(Table table, List<String> key) {
            if (!added.getOrDefault(table.id(), new ArrayList<>()).remove(key)) {
                removed.computeIfAbsent(table.id(), t -> new ArrayList<>()).add(key);
            }
        }

        /** A key live at this point of the transaction, or null when the table has none. */
        List<String> pick(Table table, Random r) {
            List<List<String>> candidates = new ArrayList<>(liveKeys.get(table.id()));
            candidates.removeAll(removed.getOrDefault(table.id(), List.of()));
            candidates.addAll(added.getOrDefault(table.id(), List.of()));
            return candidates.isEmpty() ? null : candidates.get(r.nextInt(candidates.size()));
        }
    }
}
