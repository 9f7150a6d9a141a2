package io.bronzecdc.model.testing;

import io.bronzecdc.model.event.Op;
import io.bronzecdc.model.event.TableId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded workload on {@link RandomTypedTables}: transactions of inserts (all columns given, or some left to
 * their defaults), updates (random values, NULLs, {@code DEFAULT}, or nothing changed) and deletes, some rolled
 * back. It records, in commit order, each committed change with the row as the server gave it ({@code to_jsonb}
 * under UTC through RETURNING: the after-image for I and U, the before-image for D) and each transaction's xid.
 *
 * <p>Runs on its own connection (sets {@code TimeZone = 'UTC'} on it and switches auto-commit off while it runs).
 */
public final class TypedWorkload {
    /** One committed change. */
    public record Change(TableId table, Op op, long id, String json, long xid) {
    }

    private final Connection connection;
    private final RandomTypedTables tables;
    private final Random random;
    private final List<Change> changes = new ArrayList<>();
    private final List<Long> xids = new ArrayList<>();
    private final Map<TableId, List<Long>> live = new HashMap<>();
    private final Map<TableId, Long> nextId = new HashMap<>();

    public TypedWorkload(Connection connection, RandomTypedTables tables, long seed) throws SQLException {
        this.connection = connection;
        this.tables = tables;
        this.random = new Random(seed);
        for (RandomTypedTables.Table t : tables.tables()) {
            List<Long> ids = new ArrayList<>(RandomTypedTables.sourceRows(connection, t.id()).keySet());
            live.put(t.id(), ids);
            nextId.put(t.id(), ids.isEmpty() ? 1 : ids.get(ids.size() - 1) + 1);
        }
    }

    /** Inserts {@code rows} rows into every table, in one transaction (recorded like any other). */
    public TypedWorkload populate(int rows) throws SQLException {
        begin();
        List<Change> pending = new ArrayList<>();
        for (RandomTypedTables.Table t : tables.tables()) {
            for (int i = 0; i < rows; i++) {
                pending.add(insert(t));
            }
        }
        commit(pending);
        return this;
    }

    /** Runs {@code transactions} transactions of 1 to 6 statements; about one in ten is rolled back. */
    public TypedWorkload run(int transactions) throws SQLException {
        for (int n = 0; n < transactions; n++) {
            begin();
            Map<TableId, List<Long>> before = copyLive();
            List<Change> pending = new ArrayList<>();
            for (int s = 1 + random.nextInt(6); s > 0; s--) {
                RandomTypedTables.Table t = tables.tables().get(random.nextInt(tables.tables().size()));
                int kind = random.nextInt(10);
                List<Long> ids = live.get(t.id());
                if (kind < 4 || ids.isEmpty()) {
                    pending.add(insert(t));
                } else if (kind < 8) {
                    pending.add(update(t, ids.get(random.nextInt(ids.size()))));
                } else {
                    pending.add(delete(t, ids.remove(random.nextInt(ids.size()))));
                }
            }
            if (random.nextInt(10) == 0) {
                connection.rollback();
                live.clear();
                live.putAll(before);
                connection.setAutoCommit(true);
            } else {
                commit(pending);
            }
        }
        return this;
    }

    /** Every committed change so far, in commit order (and statement order inside a transaction). */
    public List<Change> changes() {
        return List.copyOf(changes);
    }

    /** The xid of every committed transaction that changed something, in commit order. */
    public List<Long> xids() {
        return List.copyOf(xids);
    }

    private Change insert(RandomTypedTables.Table t) throws SQLException {
        long id = nextId.merge(t.id(), 1L, Long::sum) - 1;
        List<String> names = new ArrayList<>(List.of("id"));
        List<String> values = new ArrayList<>(List.of(Long.toString(id)));
        boolean useDefaults = random.nextInt(3) == 0;
        for (RandomTypedTables.Column c : t.columns()) {
            if (useDefaults && random.nextBoolean()) {
                continue; // its DEFAULT applies (NULL when it has none)
            }
            names.add(c.name());
            values.add(random.nextInt(5) == 0 ? "NULL" : c.type().value(random));
        }
        live.get(t.id()).add(id);
        return record(t, Op.INSERT, id, "INSERT INTO " + t.id().qualifiedName() + " AS t (" + String.join(", ", names)
                + ") VALUES (" + String.join(", ", values) + ") RETURNING to_jsonb(t)::text");
    }

    private Change update(RandomTypedTables.Table t, long id) throws SQLException {
        List<String> sets = new ArrayList<>();
        for (RandomTypedTables.Column c : t.columns()) {
            int what = random.nextInt(8);
            if (what == 0) {
                sets.add(c.name() + " = NULL");
            } else if (what == 1) {
                sets.add(c.name() + " = DEFAULT");
            } else if (what < 4) {
                sets.add(c.name() + " = " + c.type().value(random));
            }
        }
        if (sets.isEmpty()) {
            sets.add("id = id");
        }
        return record(t, Op.UPDATE, id, "UPDATE " + t.id().qualifiedName() + " AS t SET " + String.join(", ", sets)
                + " WHERE id = " + id + " RETURNING to_jsonb(t)::text");
    }

    private Change delete(RandomTypedTables.Table t, long id) throws SQLException {
        return record(t, Op.DELETE, id, "DELETE FROM " + t.id().qualifiedName() + " AS t WHERE id = " + id
                + " RETURNING to_jsonb(t)::text");
    }

    private Change record(RandomTypedTables.Table t, Op op, long id, String sql) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("workload statement changed no row (seed " + tables.seed() + "): "
                        + sql);
            }
            return new Change(t.id(), op, id, rs.getString(1), 0);
        } catch (SQLException e) {
            throw new SQLException("workload statement failed (seed " + tables.seed() + "): " + sql + ": "
                    + e.getMessage(), e.getSQLState(), e);
        }
    }

    private void begin() throws SQLException {
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
        }
    }

    private void commit(List<Change> pending) throws SQLException {
        long xid;
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_current_xact_id()::text::bigint")) {
            rs.next();
            xid = rs.getLong(1);
        }
        connection.commit();
        connection.setAutoCommit(true);
        if (!pending.isEmpty()) {
            xids.add(xid);
        }
        pending.forEach(c -> changes.add(new Change(c.table(), c.op(), c.id(), c.json(), xid)));
    }

    private Map<TableId, List<Long>> copyLive() {
        Map<TableId, List<Long>> copy = new HashMap<>();
        live.forEach((k, v) -> copy.put(k, new ArrayList<>(v)));
        return copy;
    }
}
