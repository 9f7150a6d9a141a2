package io.bronzecdc.model.source;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableId;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Brings one table into a running pipeline (a table created, or added to {@code tables.include}, after the
 * pipeline's first snapshot): publishes it, then reads its snapshot and returns the {@link SnapshotHandover} that
 * tells which streamed changes of it the snapshot already holds. The snapshot takes no lock and needs only SELECT on
 * the table; only publishing it does.
 *
 * <ol>
 *   <li><b>Publish.</b> When the publication does not publish the table ({@code FOR ALL TABLES} and
 *       {@code FOR TABLES IN SCHEMA} publications already do) or its replica identity is not FULL, the fixes
 *       {@link SourcePreflight} finds ({@code ALTER TABLE .. REPLICA IDENTITY FULL}, {@code ALTER PUBLICATION .. ADD
 *       TABLE}) are committed in one transaction, behind a lock on the table taken first ({@link #lockStatement}; at
 *       most 5 s, else {@link Deferred}), if the pipeline's role may run them (owner of the table and the
 *       publication, or superuser). Otherwise the table is {@link Deferred}: the reason names the statements an
 *       administrator must run, and a later call, after they ran, captures it.</li>
 *   <li><b>Wait for earlier writers.</b> pgoutput decides whether a change is published with the catalog as of that
 *       change: a change written before the table was published is never streamed, even when its transaction
 *       commits later. Such a transaction still holds its write lock on the table, so the snapshot waits (without
 *       locking: it polls {@code pg_locks}) until every transaction holding a lock stronger than ACCESS SHARE on the
 *       table or its partitions ended; those are then visible in the snapshot.</li>
 *   <li><b>Snapshot.</b> In one REPEATABLE READ transaction: {@code pg_current_snapshot()} and
 *       {@code pg_current_wal_insert_lsn()} (the snapshot lsn), then the rows with the shared {@link SnapshotReader},
 *       each at {@code SourcePosition.snapshot(snapshotLsn)}.</li>
 * </ol>
 *
 * <p>The caller takes its stream bound only after this returns, so that every transaction the snapshot holds
 * (all commit below the snapshot lsn) is in the stream it filters with the handover.
 */
public final class LateTableSnapshot {
    private static final Duration POLL = Duration.ofMillis(50);
    /**
     * How long a fix may wait for its lock: {@code ALTER TABLE .. REPLICA IDENTITY} needs an exclusive lock, and
     * while it waits every new writer of the table queues behind it.
     */
    private static final Duration LOCK_WAIT = Duration.ofSeconds(5);
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private final PipelineConfig config;
    private final Duration writerWait;

    /**
     * @param writerWait how long to wait for transactions that were writing to the table when it was published;
     *     after that the table is deferred to a later call
     */
    public LateTableSnapshot(PipelineConfig config, Duration writerWait) {
        this.config = Objects.requireNonNull(config, "config");
        this.writerWait = Objects.requireNonNull(writerWait, "writerWait");
    }

    /** What became of one table. */
    public sealed interface Outcome permits Captured, Deferred {
        TableId table();
    }

    /**
     * The table's snapshot was read.
     *
     * @param applied the statements run to publish it (empty when it was published already)
     * @param rows the snapshot rows handed to the sink
     * @param handover which streamed changes of the table the snapshot holds
     */
    public record Captured(TableId table, List<String> applied, long rows, SnapshotHandover handover)
            implements Outcome {
        public Captured {
            applied = List.copyOf(applied);
        }
    }

    /**
     * The table cannot be captured yet; nothing was read.
     *
     * @param reason what is missing and the statements that fix it, for a warning
     */
    public record Deferred(TableId table, String reason) implements Outcome {
    }

    /**
     * Publishes {@code table} if needed and may, then hands its snapshot rows to {@code sink}.
     *
     * @param control a connection to the source in auto-commit mode, for the catalog and the fixes
     * @param reader another connection to the source in auto-commit mode, for the snapshot transaction; left in
     *     auto-commit mode
     * @param beforeSnapshot called right before the snapshot is taken (tests make races exact with it)
     */
    public Outcome bringIn(Connection control, Connection reader, TableId table, Runnable beforeSnapshot,
            Consumer<ChangeEvent> sink) throws SQLException, InterruptedException {
        // The slot was checked when the pipeline started; a streaming engine reads it meanwhile.
        SourceInspection inspection = new SourcePreflight(config, List.of(table)).ignoringSlot().inspect(control);
        if (!inspection.problems().isEmpty()) {
            return new Deferred(table, "table " + table + " matches tables but cannot be captured: "
                    + String.join("; ", inspection.problems()) + ". It is captured, from its first row, by the first"
                    + " run after that");
        }
        List<SourceFix> blocked = inspection.fixes().stream().filter(f -> !f.permitted()).toList();
        if (!blocked.isEmpty()) {
            return new Deferred(table, deferral(table, inspection.user(), blocked));
        }
        List<String> applied;
        try {
            applied = apply(control, table, inspection.fixes());
        } catch (SQLException e) {
            if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                throw e;
            }
            return new Deferred(table, "table " + table + " matches tables but could not be published now: "
                    + String.join("; ", inspection.fixes().stream().flatMap(f -> f.statements().stream()).toList())
                    + " waited more than " + LOCK_WAIT.toSeconds() + " s for a lock on it (a long transaction uses"
                    + " it), and waiting longer would block its writers. A later run tries again");
        }
        List<String> writers = writersOf(control, table);
        if (!awaitEnded(control, writers)) {
            return new Deferred(table, "table " + table + " was published but transactions that were writing to it"
                    + " (pg_locks) did not end within " + writerWait.toSeconds() + " s, and their earlier changes"
                    + " are not streamed, so the snapshot must wait for them. It is captured, from its first row, by"
                    + " a later run");
        }
        beforeSnapshot.run();
        boolean autoCommit = reader.getAutoCommit();
        int isolation = reader.getTransactionIsolation();
        reader.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        reader.setAutoCommit(false);
        try {
            SnapshotHandover handover;
            try (Statement s = reader.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT pg_current_snapshot()::text, pg_current_wal_insert_lsn()::text")) {
                rs.next();
                handover = SnapshotHandover.parse(rs.getString(1), PgLsn.parse(rs.getString(2)));
            }
            long rows = SnapshotReader.read(reader, table, handover.lsn(), sink);
            return new Captured(table, applied, rows, handover);
        } finally {
            reader.rollback();
            reader.setAutoCommit(autoCommit);
            reader.setTransactionIsolation(isolation);
        }
    }

    private static String deferral(TableId table, String user, List<SourceFix> blocked) {
        return "table " + table + " matches tables but is not captured yet: "
                + blocked.stream().map(SourceFix::problem).collect(Collectors.joining("; ")) + ", and role " + user
                + " may not fix it (it lacks " + blocked.stream().flatMap(f -> f.missingPrivileges().stream())
                .map(PrivilegeGap::privilege).distinct().collect(Collectors.joining(", ")) + "). Have the owner or a"
                + " superuser run, in one transaction so that no write straddles the change: BEGIN; "
                + lockStatement(table, blocked) + "; "
                + blocked.stream().map(SourceFix::script).collect(Collectors.joining(" ")) + " COMMIT;"
                + " (or give " + user + " what it lacks: " + blocked.stream().flatMap(f -> f.missingPrivileges()
                .stream()).map(PrivilegeGap::grant).distinct().collect(Collectors.joining("; ")) + ";)."
                + " The pipeline runs on without it and captures it, from its first row, in the first run after that";
    }

    /**
     * The lock the fixes take first. Publishing a table while a transaction that already wrote to it is still open
     * must not happen: pgoutput decides with the catalog as of each change, so that transaction's earlier changes
     * are never streamed, and PostgreSQL releases without the fix for concurrent ALTER PUBLICATION (observed on
     * 17.2) then keep the table unpublished in the decoding session's cache, dropping later transactions' changes
     * too. SHARE waits for the open writers and holds new ones off until the commit. With ALTER TABLE, ACCESS
     * EXCLUSIVE at once, on the root first and then its partitions, as writers lock them (ALTER TABLE of the
     * partitions first deadlocked with an insert through the root).
     */
    static String lockStatement(TableId table, List<SourceFix> fixes) {
        boolean alterTable = fixes.stream().flatMap(f -> f.statements().stream()).anyMatch(t -> t.startsWith(
                "ALTER TABLE"));
        return "LOCK TABLE " + table.quoted() + " IN " + (alterTable ? "ACCESS EXCLUSIVE" : "SHARE") + " MODE";
    }

    /** Runs the fixes' statements in one committed transaction, each waiting at most {@link #LOCK_WAIT} for its lock. */
    private static List<String> apply(Connection c, TableId table, List<SourceFix> fixes) throws SQLException {
        List<String> applied = new ArrayList<>();
        if (fixes.isEmpty()) {
            return applied;
        }
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL lock_timeout = '" + LOCK_WAIT.toMillis() + "ms'");
            s.execute(lockStatement(table, fixes));
            for (SourceFix fix : fixes) {
                for (String statement : fix.statements()) {
                    s.execute(statement);
                    applied.add(statement);
                }
            }
            c.commit();
            return applied;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /**
     * The transactions ({@code pg_locks.virtualtransaction}, prepared ones included) holding a lock stronger than
     * ACCESS SHARE on the table or a partition of it: every transaction that may have written to it.
     */
    private static List<String> writersOf(Connection c, TableId table) throws SQLException {
        List<String> holders = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT l.virtualtransaction"
                + " FROM pg_locks l WHERE l.locktype = 'relation' AND l.mode <> 'AccessShareLock'"
                + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                + " AND l.relation IN (SELECT relid FROM pg_partition_tree(?::regclass) UNION SELECT ?::regclass)"
                + " AND l.pid IS DISTINCT FROM pg_backend_pid()")) {
            ps.setString(1, table.quoted());
            ps.setString(2, table.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    holders.add(rs.getString(1));
                }
            }
        }
        return holders;
    }

    /** Polls until none of {@code holders} holds any lock; false when {@link #writerWait} ran out first. */
    private boolean awaitEnded(Connection c, List<String> holders) throws SQLException, InterruptedException {
        if (holders.isEmpty()) {
            return true;
        }
        long deadline = System.nanoTime() + writerWait.toNanos();
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_locks"
                + " WHERE virtualtransaction = ANY (?)")) {
            Array ids = c.createArrayOf("text", holders.toArray());
            ps.setArray(1, ids);
            while (true) {
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        return true;
                    }
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(POLL.toMillis());
            }
        }
    }
}
