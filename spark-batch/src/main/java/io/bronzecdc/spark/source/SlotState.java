package io.bronzecdc.spark.source;

import io.bronzecdc.model.event.PgLsn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A replication slot as {@code pg_replication_slots} shows it.
 *
 * @param name the slot name
 * @param plugin the output plugin (null for a physical slot)
 * @param database the database a logical slot decodes (null for a physical slot)
 * @param activePid the backend using the slot right now, or null
 * @param confirmedFlush everything committed before this position was confirmed as consumed (null for a
 *     physical slot)
 * @param retainedWalBytes WAL the slot keeps on the server: {@code pg_current_wal_lsn() - confirmed_flush_lsn}
 */
public record SlotState(String name, String plugin, String database, Integer activePid, PgLsn confirmedFlush,
        long retainedWalBytes) {

    /** Reads the slot, or empty when it does not exist. */
    public static Optional<SlotState> read(Connection connection, String slotName) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT plugin, database, active_pid,"
                + " confirmed_flush_lsn::text, coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), 0)"
                + " FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slotName);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                int pid = rs.getInt(3);
                Integer activePid = rs.wasNull() ? null : pid;
                String confirmed = rs.getString(4);
                return Optional.of(new SlotState(slotName, rs.getString(1), rs.getString(2), activePid,
                        confirmed == null ? null : PgLsn.parse(confirmed), rs.getLong(5)));
            }
        }
    }
}
