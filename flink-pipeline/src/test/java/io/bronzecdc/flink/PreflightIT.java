package io.bronzecdc.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.postgres.EmbeddedPostgresServer;
import io.bronzecdc.model.source.PagilaGenerator;
import io.bronzecdc.model.source.PagilaLoader;
import io.bronzecdc.model.source.SourceSchema;
import io.bronzecdc.model.testing.PostgresExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;

/**
 * A bad environment stops the job before it writes anything, with one message naming each problem and its fix,
 * and a non-zero exit: the job's own command line ({@code flink run} calls its main) against real servers.
 */
class PreflightIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    @TempDir
    Path dir;

    @Test
    void shouldRefuseAServerWithoutLogicalWal() throws Exception {
        try (EmbeddedPostgresServer replicaOnly = EmbeddedPostgresServer.start(
                EmbeddedPostgresServer.Options.defaults().withSetting("wal_level", "replica"))) {
            replicaOnly.createDatabase("pagila");
            try (Connection c = replicaOnly.connect("pagila")) {
                loadSource(c);
            }
            Result result = runJob(yaml(replicaOnly.port(), "pagila", "postgres", "tables: [customer, payment, rental]"));
            assertThat(result.exitCode()).isEqualTo(BronzeCdcJob.EXIT_NOT_READY);
            assertThat(result.stderr()).contains("wal_level is 'replica' but logical decoding needs 'logical'",
                    "ALTER SYSTEM SET wal_level = logical").doesNotContain("\tat ");
            try (Connection c = replicaOnly.connect("pagila")) {
                assertNothingWritten(c);
            }
        }
    }

    @Test
    void shouldRefuseARoleWithoutReplicationAndATableWithoutFullReplicaIdentityAtOnce() throws Exception {
        String database = POSTGRES.newDatabase("role");
        try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement()) {
            loadSource(c);
            s.execute("CREATE ROLE plain_reader LOGIN PASSWORD 'secret-not-in-logs' NOREPLICATION");
            s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO plain_reader");
            s.execute("ALTER TABLE rental REPLICA IDENTITY DEFAULT");
        }
        Result result = runJob(yaml(POSTGRES.server().port(), database, "plain_reader", "").replace("it_slot", "role_slot"));
        assertThat(result.exitCode()).isEqualTo(BronzeCdcJob.EXIT_NOT_READY);
        assertThat(result.stderr())
                .contains("role plain_reader may not replicate: run ALTER ROLE plain_reader WITH REPLICATION")
                .contains("REPLICA IDENTITY is not FULL on public.rental", "ALTER TABLE public.rental REPLICA IDENTITY FULL")
                .contains("publication it_pub does not exist: run CREATE PUBLICATION it_pub FOR TABLE")
                .contains("(3 problems; nothing was written)")
                .doesNotContain("secret-not-in-logs");
        try (Connection c = POSTGRES.connect(database)) {
            assertNothingWritten(c);
        }
    }

    @Test
    void shouldRefuseASlotThatAnotherProcessReads() throws Exception {
        String database = POSTGRES.newDatabase("busy");
        try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement()) {
            loadSource(c);
            s.execute("CREATE PUBLICATION it_pub FOR TABLE customer, payment, rental WITH (publish_via_partition_root = true)");
            s.execute("SELECT pg_create_logical_replication_slot('it_slot', 'pgoutput')");
        }
        try (Connection replication = replicationConnection(database);
                PGReplicationStream stream = replication.unwrap(PGConnection.class).getReplicationAPI()
                        .replicationStream().logical().withSlotName("it_slot")
                        .withSlotOption("proto_version", 1).withSlotOption("publication_names", "it_pub").start()) {
            Result result = runJob(yaml(POSTGRES.server().port(), database, "postgres", ""));
            assertThat(result.exitCode()).isEqualTo(BronzeCdcJob.EXIT_NOT_READY);
            assertThat(result.stderr()).contains("replication slot it_slot is in use by process",
                    "another job reads it. Stop that job, or give this pipeline its own source.slot.name");
            assertThat(stream.isClosed()).isFalse();
        }
        try (Connection c = POSTGRES.connect(database)) {
            assertThat(single(c, "SELECT count(*) FROM pg_namespace WHERE nspname = 'cdc_bronze'")).isZero();
        }
    }

    @Test
    void shouldRefuseAnUnknownTableInTheConfigBeforeConnecting() throws Exception {
        Result result = runJob(yaml(1, "nowhere", "postgres", "tables: [customer, \"Orders\"]\nbronze:\n  schemma: x"));
        assertThat(result.exitCode()).isEqualTo(BronzeCdcJob.EXIT_NOT_READY);
        assertThat(result.stderr()).contains("has 2 problems", "tables[1]", "'Orders'",
                "must be a lower-case SQL identifier", "bronze.schemma",
                "did you mean bronze.schema?");
    }

    /** A pipeline config; its slot it_slot is cluster-wide, so tests that create it use distinct servers or names. */
    private String yaml(int port, String database, String user, String extra) throws Exception {
        Path password = dir.resolve("password");
        Files.writeString(password, "secret-not-in-logs\n");
        return """
                source:
                  host: 127.0.0.1
                  port: %d
                  database: %s
                  user: %s
                  password.file: %s
                  sslmode: disable
                  slot.name: it_slot
                  publication.name: it_pub
                %s
                """.formatted(port, database, user, password, extra);
    }

    private Result runJob(String yaml) throws Exception {
        Path config = dir.resolve("pipeline.yaml");
        Files.writeString(config, yaml);
        StringWriter err = new StringWriter();
        int exitCode = BronzeCdcJob.commandLine().setErr(new PrintWriter(err)).execute("--config", config.toString());
        return new Result(exitCode, err.toString());
    }

    private record Result(int exitCode, String stderr) {
    }

    private static void loadSource(Connection c) throws SQLException {
        SourceSchema.create(c);
        PagilaLoader.loadGenerated(c, new PagilaGenerator(1, new PagilaGenerator.Counts(10, 10, 10)));
    }

    /** No bronze schema, no slot, no publication: the failed start left the database as it was. */
    private static void assertNothingWritten(Connection c) throws SQLException {
        assertThat(single(c, "SELECT count(*) FROM pg_namespace WHERE nspname = 'cdc_bronze'")).isZero();
        assertThat(single(c, "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()")).isZero();
        assertThat(single(c, "SELECT count(*) FROM pg_publication WHERE pubname = 'it_pub'")).isZero();
    }

    private static Connection replicationConnection(String database) throws SQLException {
        Properties properties = new Properties();
        PGProperty.USER.set(properties, EmbeddedPostgresServer.SUPERUSER);
        PGProperty.REPLICATION.set(properties, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(properties, "9.4");
        PGProperty.PREFER_QUERY_MODE.set(properties, "simple");
        return DriverManager.getConnection(POSTGRES.server().jdbcUrl(database), properties);
    }

    private static long single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
