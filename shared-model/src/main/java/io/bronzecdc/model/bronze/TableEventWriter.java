package io.bronzecdc.model.bronze;

import io.bronzecdc.model.event.TableEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.temporal.ChronoUnit;

/**
 * Records {@link TableEvent}s in {@code <schema>.bronze_table_events} on the caller's connection and transaction,
 * the one that writes the rows of the same source transaction.
 */
public final class TableEventWriter {
    private final BronzeSchema schema;

    public TableEventWriter(BronzeSchema schema) {
        this.schema = schema;
    }

    /**
     * Records one event.
     *
     * @param followsLsn the lsn of the table's last row written before the event (0 when none): rows up to it
     *     predate the event
     */
    public void write(Connection connection, TableEvent event, long followsLsn) throws SQLException {
        if (followsLsn < 0) {
            throw new IllegalArgumentException("followsLsn must be >= 0 but was " + followsLsn);
        }
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO " + schema.tableEvents()
                + " (bronze_table, source_schema, source_table, follows_lsn, kind, commit_lsn, source_lsn, tx_id,"
                + " commit_ts, command_tag, ddl, columns_before, columns)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb)")) {
            ps.setString(1, BronzeSchema.logTableName(event.table()));
            ps.setString(2, event.table().schema());
            ps.setString(3, event.table().name());
            ps.setLong(4, followsLsn);
            ps.setString(5, event.kind().stored());
            ps.setLong(6, event.position().commitLsn().asLong());
            ps.setLong(7, event.position().changeLsn().asLong());
            ps.setLong(8, event.position().txId());
            ps.setTimestamp(9, Timestamp.from(event.position().commitTime().truncatedTo(ChronoUnit.MILLIS)));
            ps.setString(10, event.commandTag());
            ps.setString(11, event.ddl());
            ps.setString(12, event.columnsBefore());
            ps.setString(13, event.columns());
            ps.executeUpdate();
        }
    }
}
