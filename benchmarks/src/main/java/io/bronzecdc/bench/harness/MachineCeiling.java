package io.bronzecdc.bench.harness;

import io.bronzecdc.model.bronze.BronzeMigrator;
import io.bronzecdc.model.bronze.BronzeSchema;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.copy.CopyManager;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * The two ceilings every rate of the report is compared with, measured on this machine in the same run:
 * <ul>
 *   <li>drain: a bare reader of the replication protocol (pgjdbc's replication API, pgoutput, no decoding beyond
 *       the message type, acknowledging as it goes) reads a backlog of changes from a slot made before them;</li>
 *   <li>COPY: the same number of bronze rows ({@code full_row} = {@code to_jsonb} of the source rows) loaded with
 *       {@code COPY ... FROM STDIN} into a bronze log table made by the shared migrator; the text is built before
 *       the clock starts.</li>
 * </ul>
 * Nothing a pipeline does (decoding, sequencing, payload encoding, transactions) is in either figure.
 */
public final class MachineCeiling {
    /** A rate measured: how many, and how long. */
    public record Rate(long count, double seconds) {
        public double perSecond() {
            return seconds > 0 ? count / seconds : 0;
        }
    }

    private MachineCeiling() {
    }

    /** Creates the bare reader's slot on {@code database}: before the changes it will drain. */
    public static void createSlot(String jdbcUrl, String user, String slot) throws SQLException {
        try (Connection replication = replicationConnection(jdbcUrl, user)) {
            replication.unwrap(PGConnection.class).getReplicationAPI().createReplicationSlot().logical()
                    .withSlotName(slot).withOutputPlugin("pgoutput").make();
        }
    }

    /**
     * Drains {@code slot} (made by {@link #createSlot}) through publication {@code publication} until
     * {@code expectedChanges} INSERT, UPDATE and DELETE messages arrived, then drops the slot.
     */
    public static Rate drain(String jdbcUrl, String user, String slot, String publication, long expectedChanges)
            throws SQLException, InterruptedException {
        long changes = 0;
        long started = System.nanoTime();
        try (Connection replication = replicationConnection(jdbcUrl, user)) {
            PGConnection pg = replication.unwrap(PGConnection.class);
            try (PGReplicationStream stream = pg.getReplicationAPI().replicationStream().logical().withSlotName(slot)
                    .withSlotOption("proto_version", "1").withSlotOption("publication_names", publication)
                    .withStatusInterval(1, TimeUnit.SECONDS).start()) {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
                while (changes < expectedChanges) {
                    ByteBuffer message = stream.readPending();
                    if (message == null) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("the bare reader drained " + changes + " of "
                                    + expectedChanges + " changes in 30 minutes");
                        }
                        TimeUnit.MICROSECONDS.sleep(200);
                        continue;
                    }
                    byte type = message.get(message.position());
                    if (type == 'I' || type == 'U' || type == 'D') {
                        changes++;
                    } else if (type == 'C') {
                        LogSequenceNumber received = stream.getLastReceiveLSN();
                        stream.setAppliedLSN(received);
                        stream.setFlushedLSN(received);
                    }
                }
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        try (Connection c = DriverManager.getConnection(jdbcUrl, properties(user));
                Statement s = c.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        }
        return new Rate(changes, seconds);
    }

    /**
     * Loads {@code rows} bronze rows into a fresh bronze log table of {@code bronzeDatabase} with COPY: the rows are
     * {@code to_jsonb} of {@code bench_wide} rows of {@code sourceDatabase}, repeated when the table has fewer.
     */
    public static Rate copy(Connection source, Connection bronze, long rows) throws SQLException, IOException {
        BronzeSchema schema = new BronzeSchema("bench_ceiling");
        try (Statement s = bronze.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS bench_ceiling CASCADE");
        }
        BronzeMigrator.migrate(bronze, schema, List.of(BenchData.WIDE));
        StringBuilder text = new StringBuilder();
        long written = 0;
        try (Statement s = source.createStatement()) {
            while (written < rows) {
                long before = written;
                try (ResultSet rs = s.executeQuery("SELECT to_jsonb(w)::text FROM public.bench_wide w ORDER BY id"
                        + " LIMIT " + (rows - written))) {
                    while (rs.next()) {
                        written++;
                        text.append(written).append("\tI\t").append(copyEscaped(rs.getString(1))).append('\t')
                                .append(written * 64).append('\t').append(1_000 + written / 10)
                                .append("\t2026-01-01 00:00:00+00\n");
                    }
                }
                if (written == before) {
                    throw new IllegalStateException("bench_wide is empty: nothing to copy");
                }
            }
        }
        String columns = String.join(", ", BronzeSchema.WRITTEN_COLUMNS);
        long started = System.nanoTime();
        long copied = bronze.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + schema.tableOf(BenchData.WIDE)
                + " (" + columns + ") FROM STDIN", new StringReader(text.toString()));
        double seconds = (System.nanoTime() - started) / 1e9;
        try (Statement s = bronze.createStatement()) {
            s.execute("DROP SCHEMA bench_ceiling CASCADE");
        }
        return new Rate(copied, seconds);
    }

    /** {@code value} in COPY's text format: backslash, tab, newline and carriage return escaped. */
    static String copyEscaped(String value) {
        StringBuilder escaped = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '\\' -> escaped.append("\\\\");
                case '\t' -> escaped.append("\\t");
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                default -> escaped.append(ch);
            }
        }
        return escaped.toString();
    }

    private static Connection replicationConnection(String jdbcUrl, String user) throws SQLException {
        Properties properties = properties(user);
        PGProperty.REPLICATION.set(properties, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(properties, "10");
        PGProperty.PREFER_QUERY_MODE.set(properties, "simple");
        return DriverManager.getConnection(jdbcUrl, properties);
    }

    private static Properties properties(String user) {
        Properties properties = new Properties();
        PGProperty.USER.set(properties, user);
        return properties;
    }
}
