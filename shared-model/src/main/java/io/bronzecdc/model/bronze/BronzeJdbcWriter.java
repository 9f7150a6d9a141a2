package io.bronzecdc.model.bronze;

import io.bronzecdc.model.event.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Appends bronze rows with batched JDBC inserts on the caller's connection and transaction: the caller decides
 * what commits together (rows plus the position they cover, for exactly once).
 */
public final class BronzeJdbcWriter {
    private final BronzeSchema schema;

    public BronzeJdbcWriter(BronzeSchema schema) {
        this.schema = schema;
    }

    /**
     * Inserts {@code rows} (any tables, any order), one batch per table.
     *
     * @return rows written per table
     */
    public Map<TableId, Integer> write(Connection connection, List<BronzeRow> rows) throws SQLException {
        Map<TableId, List<BronzeRow>> byTable = new LinkedHashMap<>();
        for (BronzeRow row : rows) {
            byTable.computeIfAbsent(row.change().table(), t -> new ArrayList<>()).add(row);
        }
        Map<TableId, Integer> written = new LinkedHashMap<>();
        for (var entry : byTable.entrySet()) {
            try (PreparedStatement ps = connection.prepareStatement(schema.insertStatement(entry.getKey()))) {
                for (BronzeRow row : entry.getValue()) {
                    ps.setLong(1, row.lsn());
                    ps.setString(2, row.opCode());
                    ps.setString(3, row.change().fullRow());
                    ps.setLong(4, row.sourceLsn());
                    if (row.txId() == null) {
                        ps.setNull(5, Types.BIGINT);
                    } else {
                        ps.setLong(5, row.txId());
                    }
                    ps.setTimestamp(6, row.commitTs());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            written.put(entry.getKey(), entry.getValue().size());
        }
        return written;
    }

    /** {@code max(lsn)} per table, 0 for an empty table: where sequencing continues. */
    public Map<TableId, Long> lastLsn(Connection connection, List<TableId> tables) throws SQLException {
        Map<TableId, Long> last = new LinkedHashMap<>();
        try (var s = connection.createStatement()) {
            for (TableId table : tables) {
                try (var rs = s.executeQuery("SELECT coalesce(max(lsn), 0) FROM " + schema.tableOf(table))) {
                    rs.next();
                    last.put(table, rs.getLong(1));
                }
            }
        }
        return last;
    }
}
