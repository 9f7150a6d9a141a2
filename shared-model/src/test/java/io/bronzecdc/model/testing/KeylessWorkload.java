package io.bronzecdc.model.testing;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.Op;
import io.bronzecdc.model.event.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Two tables whose updates bronze logs as D then I, and a seeded workload on them that records the bronze history
 * each update must leave (DESIGN.md section 2):
 *
 * <ul>
 *   <li>{@link #KEYLESS} has no primary key and holds duplicate rows and NULLs. Its updates hit every row equal to
 *       one chosen row (so several identical rows at once, and sometimes change nothing); its deletes remove one of
 *       several identical rows ({@code ctid}). Every update of n rows is expected as n times D(old row), I(new row).
 *   <li>{@link #KEYED} has a primary key. Updates that keep the key are one U; updates that change it are D then I,
 *       including two rows swapping their keys in one transaction (through a free key, in three statements).
 * </ul>
 *
 * <p>Rows are the server's own {@code to_jsonb(..)::text} under UTC. Runs on its own connection (auto-commit off
 * while it runs). Both tables get REPLICA IDENTITY FULL.
 */
public final class KeylessWorkload {
    /** A table without a primary key. */
    public static final TableId KEYLESS = TableId.of("kl_events");
    /** A table whose updates change primary keys. */
    public static final TableId KEYED = TableId.of("kl_accounts");

    private static final String[] KINDS = {"a", "b", "c", null};
    private static final String[] AMOUNTS = {"1.50", "2.00", "10.25", null};
    private static final String[] NOTES = {null, "x", "y z"};

    /** One committed change as bronze must log it, with its transaction's xid. */
    public record Change(TableId table, Op op, String json, long xid) {
    }

    private final Connection connection;
    private final Random random;
    private final List<Change> changes = new ArrayList<>();
    private int nextId;

    private KeylessWorkload(Connection connection, long seed, int nextId) {
        this.connection = connection;
        this.random = new Random(seed);
        this.nextId = nextId;
    }

    /**
     * Creates both tables and fills them with {@code rows} rows each (keyless: from a small set of values, so with
     * duplicates and NULLs). The initial rows are not recorded: they are what a snapshot reads.
     */
    public static KeylessWorkload create(Connection connection, long seed, int rows) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE TABLE " + KEYLESS.qualifiedName() + " (kind text, amount numeric(6,2), note text)");
            s.execute("ALTER TABLE " + KEYLESS.qualifiedName() + " REPLICA IDENTITY FULL");
            s.execute("CREATE TABLE " + KEYED.qualifiedName()
                    + " (id integer PRIMARY KEY, owner text NOT NULL, balance numeric(8,2))");
            s.execute("ALTER TABLE " + KEYED.qualifiedName() + " REPLICA IDENTITY FULL");
        }
        KeylessWorkload workload = new KeylessWorkload(connection, seed, rows + 1);
        try (Statement s = connection.createStatement()) {
            for (int i = 0; i < rows; i++) {
                s.execute("INSERT INTO " + KEYLESS.qualifiedName() + " VALUES " + workload.randomValues());
                // Two identical rows at least once, whatever the seed.
                if (i == 0) {
                    s.execute("INSERT INTO " + KEYLESS.qualifiedName() + " VALUES ('a', 1.50, NULL)");
                    s.execute("INSERT INTO " + KEYLESS.qualifiedName() + " VALUES ('a', 1.50, NULL)");
                }
                s.execute("INSERT INTO " + KEYED.qualifiedName() + " VALUES (" + (i + 1) + ", 'o" + (i + 1) + "', "
                        + (i % 3 == 0 ? "NULL" : i + ".25") + ")");
            }
        }
        return workload;
    }

    /** {@code public.kl_events, public.kl_accounts}, for a publication. */
    public static String tableList() {
        return KEYLESS.qualifiedName() + ", " + KEYED.qualifiedName();
    }

    /**
     * Runs {@code transactions} seeded transactions of 1 to 4 statements; the first two always include a swap of
     * two keys and an update of several identical keyless rows.
     */
    public KeylessWorkload run(int transactions) throws SQLException {
        for (int t = 0; t < transactions; t++) {
            begin();
            List<Change> pending = new ArrayList<>();
            if (t == 0) {
                pending.addAll(swapKeys());
            } else if (t == 1) {
                try (Statement s = connection.createStatement()) {
                    s.execute("INSERT INTO " + KEYLESS.qualifiedName()
                            + " VALUES ('b', NULL, 'x'), ('b', NULL, 'x'), ('b', NULL, 'x')");
                }
                pending.addAll(List.of(inserted("{\"kind\": \"b\", \"note\": \"x\", \"amount\": null}"),
                        inserted("{\"kind\": \"b\", \"note\": \"x\", \"amount\": null}"),
                        inserted("{\"kind\": \"b\", \"note\": \"x\", \"amount\": null}")));
                pending.addAll(updateEqualRows("{\"kind\": \"b\", \"note\": \"x\", \"amount\": null}",
                        "amount = 3.00"));
            } else {
                int statements = 1 + random.nextInt(4);
                for (int i = 0; i < statements; i++) {
                    pending.addAll(randomStatement());
                }
            }
            commit(pending);
        }
        return this;
    }

    /** Every committed change, in commit order. */
    public List<Change> changes() {
        return List.copyOf(changes);
    }

    /** The history bronze must hold for {@code table} after the snapshot: {@code op tx <xid> <row>}, in order. */
    public List<String> history(TableId table) {
        return changes.stream().filter(c -> c.table().equals(table))
                .map(c -> c.op().code() + " tx " + c.xid() + " " + c.json()).toList();
    }

    /**
     * The streamed rows of {@code table}'s bronze log in {@code schema} (tx_id not null) as {@link #history} writes
     * them, in lsn order.
     */
    public static List<String> bronzeHistory(Connection c, BronzeSchema schema, TableId table) throws SQLException {
        return rows(c, "SELECT op || ' tx ' || tx_id || ' ' || full_row::text FROM " + schema.tableOf(table)
                + " WHERE tx_id IS NOT NULL ORDER BY lsn");
    }

    /**
     * Whether each D of {@code table}'s bronze log that an update left is followed at once by its I: the pairs
     * {@code (lsn, lsn + 1)} of one transaction where the first is a D and the second an I, counted.
     */
    public static long adjacentDeleteInsertPairs(Connection c, BronzeSchema schema, TableId table)
            throws SQLException {
        return Long.parseLong(rows(c, "SELECT count(*) FROM " + schema.tableOf(table) + " d JOIN "
                + schema.tableOf(table) + " i ON i.lsn = d.lsn + 1 AND i.tx_id = d.tx_id"
                + " WHERE d.op = 'D' AND i.op = 'I'").get(0));
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
            try (ResultSet rs = s.executeQuery(sql)) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
        }
        return rows;
    }

    private List<Change> randomStatement() throws SQLException {
        return switch (random.nextInt(7)) {
            case 0, 1 -> insertKeyless();
            case 2 -> {
                String row = randomKeylessRow();
                yield row == null ? insertKeyless() : updateEqualRows(row, random.nextBoolean()
                        ? "amount = coalesce(amount, 0) + 1" : random.nextBoolean() ? "note = NULL" : "kind = kind");
            }
            case 3 -> {
                String row = randomKeylessRow();
                yield row == null ? insertKeyless() : deleteOneOf(row);
            }
            case 4 -> updateKeyed("balance = coalesce(balance, 0) + 1.25");
            case 5 -> updateKeyed("id = " + nextId++);
            default -> random.nextBoolean() ? swapKeys() : insertKeyed();
        };
    }

    private List<Change> insertKeyless() throws SQLException {
        return List.of(inserted(single("INSERT INTO " + KEYLESS.qualifiedName() + " AS t VALUES " + randomValues()
                + " RETURNING to_jsonb(t)::text")));
    }

    private List<Change> insertKeyed() throws SQLException {
        int id = nextId++;
        return List.of(new Change(KEYED, Op.INSERT, single("INSERT INTO " + KEYED.qualifiedName() + " AS t VALUES ("
                + id + ", 'n" + id + "', " + (random.nextBoolean() ? "NULL" : "7.75") + ") RETURNING to_jsonb(t)::text"),
                0));
    }

    /** Updates every row equal to {@code row}: n identical before-images, n identical after-images. */
    private List<Change> updateEqualRows(String row, String set) throws SQLException {
        List<String> after = all("UPDATE " + KEYLESS.qualifiedName() + " AS t SET " + set
                + " WHERE to_jsonb(t) = '" + row.replace("'", "''") + "'::jsonb RETURNING to_jsonb(t)::text");
        String before = single("SELECT '" + row.replace("'", "''") + "'::jsonb::text");
        List<Change> split = new ArrayList<>();
        for (String image : after) {
            split.add(new Change(KEYLESS, Op.DELETE, before, 0));
            split.add(new Change(KEYLESS, Op.INSERT, image, 0));
        }
        return split;
    }

    /** Deletes one of the rows equal to {@code row}. */
    private List<Change> deleteOneOf(String row) throws SQLException {
        return List.of(new Change(KEYLESS, Op.DELETE, single("DELETE FROM " + KEYLESS.qualifiedName() + " AS t"
                + " WHERE ctid = (SELECT ctid FROM " + KEYLESS.qualifiedName() + " s WHERE to_jsonb(s) = '"
                + row.replace("'", "''") + "'::jsonb LIMIT 1) RETURNING to_jsonb(t)::text"), 0));
    }

    /** One keyed row updated: a U when {@code set} keeps the key, else D then I. */
    private List<Change> updateKeyed(String set) throws SQLException {
        Integer id = randomKey();
        if (id == null) {
            return insertKeyed();
        }
        return updateKey(id, set);
    }

    private List<Change> updateKey(int id, String set) throws SQLException {
        String before = single("SELECT to_jsonb(t)::text FROM " + KEYED.qualifiedName() + " t WHERE id = " + id);
        String after = single("UPDATE " + KEYED.qualifiedName() + " AS t SET " + set + " WHERE id = " + id
                + " RETURNING to_jsonb(t)::text");
        boolean keyChanged = !single("SELECT ('" + after.replace("'", "''") + "'::jsonb->'id')::text").equals(
                String.valueOf(id));
        return keyChanged ? List.of(new Change(KEYED, Op.DELETE, before, 0), new Change(KEYED, Op.INSERT, after, 0))
                : List.of(new Change(KEYED, Op.UPDATE, after, 0));
    }

    /** Two rows swap their keys in one transaction, through a free key: three key changes. */
    private List<Change> swapKeys() throws SQLException {
        List<String> keys = new ArrayList<>(all("SELECT id::text FROM " + KEYED.qualifiedName() + " ORDER BY id"));
        if (keys.size() < 2) {
            return insertKeyed();
        }
        int a = Integer.parseInt(keys.remove(random.nextInt(keys.size())));
        int b = Integer.parseInt(keys.get(random.nextInt(keys.size())));
        int free = -a;
        List<Change> swap = new ArrayList<>(updateKey(a, "id = " + free));
        swap.addAll(updateKey(b, "id = " + a));
        swap.addAll(updateKey(free, "id = " + b));
        return swap;
    }

    private String randomKeylessRow() throws SQLException {
        List<String> rows = all("SELECT DISTINCT to_jsonb(t)::text FROM " + KEYLESS.qualifiedName() + " t ORDER BY 1");
        return rows.isEmpty() ? null : rows.get(random.nextInt(rows.size()));
    }

    private Integer randomKey() throws SQLException {
        List<String> keys = all("SELECT id::text FROM " + KEYED.qualifiedName() + " ORDER BY id");
        return keys.isEmpty() ? null : Integer.valueOf(keys.get(random.nextInt(keys.size())));
    }

    private String randomValues() {
        return "(" + literal(KINDS[random.nextInt(KINDS.length)]) + ", "
                + nullable(AMOUNTS[random.nextInt(AMOUNTS.length)]) + ", "
                + literal(NOTES[random.nextInt(NOTES.length)]) + ")";
    }

    private static Change inserted(String json) {
        return new Change(KEYLESS, Op.INSERT, json, 0);
    }

    private static String literal(String text) {
        return text == null ? "NULL" : "'" + text.replace("'", "''") + "'";
    }

    private static String nullable(String number) {
        return number == null ? "NULL" : number;
    }

    private void begin() throws SQLException {
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
        }
    }

    private void commit(List<Change> pending) throws SQLException {
        long xid = Long.parseLong(single("SELECT pg_current_xact_id()::text"));
        connection.commit();
        connection.setAutoCommit(true);
        // The server's text form, so that the history compares with bronze's jsonb text as is.
        for (Change change : pending) {
            changes.add(new Change(change.table(), change.op(), canonical(change.json()), xid));
        }
    }

    private String canonical(String json) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT ?::jsonb::text")) {
            ps.setString(1, json);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private String single(String sql) throws SQLException {
        List<String> rows = all(sql);
        if (rows.size() != 1) {
            throw new IllegalStateException("expected one row but got " + rows.size() + ": " + sql);
        }
        return rows.get(0);
    }

    private List<String> all(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }
}
