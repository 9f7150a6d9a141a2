package io.bronzecdc.flink.source;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.pgoutput.PgOutputMessage;
import io.bronzecdc.model.pgoutput.PgOutputParser;
import java.io.Serial;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a pipeline whose source was switched ({@code --switch-source}) continues: what the new source will resend
 * that bronze already holds. The new source reads the slot from its confirmed position ({@link #resumeLsn}), where
 * the old one left it; that position may lie before what bronze holds (the old source confirms only at a completed
 * checkpoint, the Flink CDC source at the WAL position of the last change it emitted, inside its transaction), so
 * part of what comes again is in bronze already: every transaction committed before the {@link #frontierXid
 * frontier} and the first changes of the frontier itself. Bronze holds a prefix of the commit-ordered change stream
 * (a checkpoint cuts the stream at one point, and each source emits in commit order), so this is exact:
 *
 * <ul>
 *   <li>the candidates are, per captured table, the transaction of its last streamed bronze row (32-bit xid and
 *       commit time in ms) and how many rows of the table it has there;
 *   <li>the transactions the slot will resend are listed in commit order by peeking it
 *       ({@code pg_logical_slot_peek_binary_changes}, nothing consumed; only Begin messages are read);
 *   <li>the frontier is the last resent transaction that is a candidate: every resent transaction before it is
 *       in bronze whole ({@link #inBronze}); of the frontier, bronze holds the first {@link #frontierRows} changes
 *       per table; everything after it is new.
 * </ul>
 *
 * A transaction is matched by xid and commit time together, so an xid reused after wraparound does not match.
 * {@link SwitchFilter} applies the boundary to the new source's output.
 *
 * @param resumeLsn the slot's confirmed position when the boundary was read (the new source starts there)
 * @param inBronze xids of the resent transactions before the frontier: all their changes are in bronze
 * @param frontierXid xid of the frontier, or -1 when nothing resent is in bronze
 * @param frontierRows per table ({@link TableId#toString()}), how many of the frontier's changes bronze holds
 */
public record SwitchBoundary(long resumeLsn, Set<Long> inBronze, long frontierXid, Map<String, Long> frontierRows)
        implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    public SwitchBoundary {
        inBronze = Set.copyOf(inBronze);
        frontierRows = Map.copyOf(frontierRows);
    }

    /**
     * Reads the boundary of {@code slot}, which no process may read meanwhile, against the committed bronze of
     * {@code tables}.
     *
     * @param source a connection to the source database
     * @param target a connection to the database bronze is written to
     */
    public static SwitchBoundary read(Connection source, Connection target, String slot, String publication,
            BronzeSchema schema, List<TableId> tables) throws SQLException {
        Map<Long, Candidate> candidates = new LinkedHashMap<>();
        for (TableId table : tables) {
            Candidate last = lastTransaction(target, schema, table);
            if (last != null) {
                candidates.merge(last.xid(), last, Candidate::plus);
            }
        }
        long resumeLsn;
        try (PreparedStatement ps = source.prepareStatement("SELECT confirmed_flush_lsn::text FROM"
                + " pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("replication slot " + slot + " does not exist");
                }
                resumeLsn = PgLsn.parse(rs.getString(1)).asLong();
            }
        }
        List<PgOutputMessage.Begin> resent = resentTransactions(source, slot, publication);
        int frontier = -1;
        for (int i = 0; i < resent.size(); i++) {
            Candidate candidate = candidates.get(resent.get(i).xid());
            if (candidate != null && candidate.sameCommit(resent.get(i))) {
                frontier = i;
            }
        }
        if (frontier < 0) {
            return new SwitchBoundary(resumeLsn, Set.of(), -1, Map.of());
        }
        Set<Long> before = new LinkedHashSet<>();
        for (int i = 0; i < frontier; i++) {
            before.add(resent.get(i).xid());
        }
        Candidate f = candidates.get(resent.get(frontier).xid());
        return new SwitchBoundary(resumeLsn, before, f.xid(), f.rows());
    }

    /** Names this boundary in the filter's checkpointed state. */
    public String id() {
        return PgLsn.of(resumeLsn) + "/" + frontierXid;
    }

    /** Whether nothing the new source resends is in bronze. */
    public boolean isEmpty() {
        return frontierXid < 0;
    }

    /** The Begin of every transaction the slot holds from its confirmed position, in commit order. */
    private static List<PgOutputMessage.Begin> resentTransactions(Connection source, String slot,
            String publication) throws SQLException {
        List<PgOutputMessage.Begin> begins = new ArrayList<>();
        boolean autoCommit = source.getAutoCommit();
        source.setAutoCommit(false); // a cursor, not the whole result in memory
        try (PreparedStatement ps = source.prepareStatement("SELECT data FROM pg_logical_slot_peek_binary_changes(?,"
                + " NULL, NULL, 'proto_version', '1', 'publication_names', quote_ident(?))"
                + " WHERE get_byte(data, 0) = 66")) { // 'B': Begin
            ps.setFetchSize(10_000);
            ps.setString(1, slot);
            ps.setString(2, publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (PgOutputParser.parse(ByteBuffer.wrap(rs.getBytes(1))) instanceof PgOutputMessage.Begin b) {
                        begins.add(b);
                    }
                }
            }
            source.commit();
        } finally {
            source.setAutoCommit(autoCommit);
        }
        return begins;
    }

    /** The transaction of the table's last streamed bronze row and how many rows of the table it has; null if none. */
    private static Candidate lastTransaction(Connection target, BronzeSchema schema, TableId table)
            throws SQLException {
        boolean autoCommit = target.getAutoCommit();
        target.setAutoCommit(false);
        try (Statement s = target.createStatement()) {
            s.setFetchSize(1_000);
            // Backwards from the last row while it belongs to the same transaction: reads that transaction only.
            try (ResultSet rs = s.executeQuery("SELECT tx_id, (extract(epoch FROM commit_ts) * 1000)::bigint FROM "
                    + schema.tableOf(table) + " ORDER BY lsn DESC")) {
                Long xid = null;
                long commitMillis = 0;
                long rows = 0;
                while (rs.next()) {
                    long rowXid = rs.getLong(1);
                    if (rs.wasNull()) {
                        break; // a snapshot row: nothing streamed after it
                    }
                    if (xid == null) {
                        xid = rowXid;
                        commitMillis = rs.getLong(2);
                    } else if (rowXid != xid) {
                        break;
                    }
                    rows++;
                }
                return xid == null ? null : new Candidate(xid, commitMillis, Map.of(table.toString(), rows));
            }
        } finally {
            target.commit();
            target.setAutoCommit(autoCommit);
        }
    }

    /** A transaction some table's bronze log ends with, and its rows per such table. */
    private record Candidate(long xid, long commitMillis, Map<String, Long> rows) {
        Candidate plus(Candidate other) {
            Map<String, Long> both = new LinkedHashMap<>(rows);
            both.putAll(other.rows);
            return new Candidate(xid, commitMillis, both);
        }

        /** Same commit time, to the millisecond bronze keeps (either side may have truncated or rounded). */
        boolean sameCommit(PgOutputMessage.Begin begin) {
            return Math.abs(begin.commitTime().toEpochMilli() - commitMillis) <= 1;
        }
    }
}
