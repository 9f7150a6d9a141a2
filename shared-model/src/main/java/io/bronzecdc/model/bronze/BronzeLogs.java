package io.bronzecdc.model.bronze;

import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SqlNames;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the change-log tables of a bronze schema already hold: the one query both engines use to tell a fresh
 * schema (a first start takes a snapshot into it) from one that another run already wrote.
 */
public final class BronzeLogs {
    private BronzeLogs() {
    }

    /**
     * The highest lsn of {@code table}'s change log; 0 when the log is empty or does not exist yet (nor its schema).
     */
    public static long maxLsn(Connection connection, BronzeSchema schema, TableId table) throws SQLException {
        String log = schema.tableOf(table);
        try (Statement s = connection.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT to_regclass(" + SqlNames.literal(log) + ") IS NOT NULL")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return 0L;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT coalesce(max(" + BronzeSchema.LSN + "), 0) FROM " + log)) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The change logs of {@code tables} that hold rows, each with its highest lsn, in the order given. */
    public static Map<TableId, Long> nonEmpty(Connection connection, BronzeSchema schema, Collection<TableId> tables)
            throws SQLException {
        Map<TableId, Long> written = new LinkedHashMap<>();
        for (TableId table : tables) {
            long max = maxLsn(connection, schema, table);
            if (max > 0) {
                written.put(table, max);
            }
        }
        return written;
    }
}
