package io.bronzecdc.model.testing;

import io.bronzecdc.model.bronze.BronzeJdbcWriter;
import io.bronzecdc.model.bronze.BronzeMigrator;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.bronze.TableEventWriter;
import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableEvent;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.pgoutput.PgOutputDecoder;
import io.bronzecdc.model.sequence.Sequencer;
import io.bronzecdc.model.source.PgTypeCatalog;
import io.bronzecdc.model.source.SnapshotReader;
import io.bronzecdc.model.source.SourceCatalog;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The shared capture path without an engine, for tests of what reads bronze: a publication and a pgoutput slot on the
 * source, an exact snapshot (taken after the slot, with nothing changing in between), then {@link #capture} decodes
 * what the slot holds with the shared decoder, sequences it and writes rows and table events (TRUNCATE, schema
 * changes) in order, as the engines do. Bronze is in the source database.
 */
public final class SlotCapture {
    private final Connection connection;
    private final BronzeSchema schema;
    private final List<TableId> tables;
    private final String slot;
    private final String publication;

    private SlotCapture(Connection connection, BronzeSchema schema, List<TableId> tables, String slot) {
        this.connection = connection;
        this.schema = schema;
        this.tables = List.copyOf(tables);
        this.slot = slot;
        this.publication = slot + "_pub";
    }

    /**
     * Publishes {@code tables}, creates slot {@code slot} and writes the snapshot of every table into bronze. The
     * caller must not change the tables until this returns.
     *
     * @param connection the source database, auto-commit; its session time zone is set to UTC
     */
    public static SlotCapture start(Connection connection, BronzeSchema schema, List<TableId> tables, String slot)
            throws SQLException {
        SlotCapture capture = new SlotCapture(connection, schema, tables, slot);
        try (Statement s = connection.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
            s.execute("CREATE PUBLICATION " + capture.publication + " FOR TABLE " + String.join(", ",
                    tables.stream().map(TableId::quoted).toList()) + " WITH (publish_via_partition_root = true)");
            s.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
        }
        BronzeMigrator.migrate(connection, schema, tables);
        List<ChangeEvent> snapshot = new ArrayList<>();
        for (TableId table : tables) {
            SnapshotReader.read(connection, table, PgLsn.ZERO, snapshot::add);
        }
        BronzeJdbcWriter writer = new BronzeJdbcWriter(schema);
        writer.write(connection, new Sequencer(writer.lastLsn(connection, tables)).assign(snapshot));
        return capture;
    }

    /** Consumes what the slot holds into bronze. */
    public void capture() throws SQLException {
        BronzeJdbcWriter writer = new BronzeJdbcWriter(schema);
        TableEventWriter eventWriter = new TableEventWriter(schema);
        Sequencer sequencer = new Sequencer(writer.lastLsn(connection, tables));
        List<ChangeEvent> pending = new ArrayList<>();
        List<TableEvent> events = new ArrayList<>();
        Set<TableId> kept = Set.copyOf(tables);
        PgOutputDecoder decoder = new PgOutputDecoder(kept::contains, new PgTypeCatalog(connection),
                SourceCatalog.updateRules(connection, tables)::get, events::add);
        try (PreparedStatement ps = connection.prepareStatement("SELECT lsn::text, data FROM"
                + " pg_logical_slot_get_binary_changes(?, NULL, NULL, 'proto_version', '1', 'publication_names', ?,"
                + " 'messages', 'true')")) {
            ps.setString(1, slot);
            ps.setString(2, publication);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pending.addAll(decoder.decode(PgLsn.parse(rs.getString(1)), ByteBuffer.wrap(rs.getBytes(2))));
                    for (TableEvent event : events) {
                        writer.write(connection, sequencer.assign(pending));
                        pending.clear();
                        eventWriter.write(connection, event, sequencer.lastLsn().getOrDefault(event.table(), 0L));
                    }
                    events.clear();
                }
            }
        }
        writer.write(connection, sequencer.assign(pending));
    }
}
