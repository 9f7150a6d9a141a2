package io.bronzecdc.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.flink.testing.PipelineUnderTest;
import io.bronzecdc.model.bronze.BronzeMigrator;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.PipelineConfigLoader;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.testkit.pagila.PagilaGenerator;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.flink.client.program.StreamContextEnvironment;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.DefaultExecutorServiceLoader;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
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
                .contains("role plain_reader may not replicate: run ALTER ROLE \"plain_reader\" WITH REPLICATION")
                .contains("REPLICA IDENTITY is not FULL on public.rental", "ALTER TABLE public.rental REPLICA IDENTITY FULL")
                .contains("publication it_pub does not exist: run CREATE PUBLICATION \"it_pub\" FOR TABLE")
                .contains("role plain_reader may not create the bronze schema cdc_bronze (it lacks CREATE on database "
                        + database + "): run GRANT CREATE ON DATABASE \"" + database + "\" TO \"plain_reader\"")
                .contains("(4 problems; nothing was changed)")
                .doesNotContain("secret-not-in-logs");
        try (Connection c = POSTGRES.connect(database)) {
            assertNothingWritten(c);
        }
    }

    @Test
    void shouldChangeNothingWhenInitMeetsAProblemItCannotFix() throws Exception {
        String database = POSTGRES.newDatabase("noinit");
        try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement()) {
            loadSource(c);
            s.execute("ALTER TABLE rental REPLICA IDENTITY DEFAULT");
        }
        String before = catalog(database);

        Result result = runJob(yaml(POSTGRES.server().port(), database, "postgres",
                "tables: [customer, payment, rental, film]").replace("it_slot", "noinit_slot"), "--init");

        assertThat(result.exitCode()).isEqualTo(BronzeCdcJob.EXIT_NOT_READY);
        assertThat(result.stderr()).contains("tables[3]: expected a pattern matching at least one table",
                "but found 'film', which matches none").doesNotContain("\tat ");
        assertThat(catalog(database)).as("catalog after the refused --init").isEqualTo(before);
    }

    @Test
    void shouldNameThePrivilegesInitLacksAndChangeNothing() throws Exception {
        String database = POSTGRES.newDatabase("priv");
        try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement()) {
            loadSource(c);
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'init_reader') THEN"
                    + " CREATE ROLE init_reader LOGIN REPLICATION; END IF; END $$");
            s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO init_reader");
            s.execute("ALTER TABLE rental REPLICA IDENTITY DEFAULT");
        }
        String before = catalog(database);

        Result result = runJob(yaml(POSTGRES.server().port(), database, "init_reader", "")
                .replace("it_slot", "priv_slot"), "--init");

        assertThat(result.exitCode()).isEqualTo(BronzeCdcJob.EXIT_NOT_READY);
        assertThat(result.stderr())
                .contains("REPLICA IDENTITY is not FULL on public.rental, so updates and deletes would lose column"
                        + " values, and init (bronze-cdc init, or an engine's --init) cannot fix it: role init_reader"
                        + " lacks ownership of table public.rental"
                        + " (owner: postgres). Have the owner or a superuser run ALTER TABLE public.rental REPLICA"
                        + " IDENTITY FULL; or give init_reader what it lacks (as the owner or a superuser: ALTER TABLE"
                        + " public.rental OWNER TO \"init_reader\";)")
                .contains("publication it_pub does not exist, and init (bronze-cdc init, or an engine's --init)"
                        + " cannot fix it: role init_reader lacks CREATE"
                        + " on database " + database + ", ownership of table \"public\".\"customer\" (owner: postgres)",
                        "GRANT CREATE ON DATABASE \"" + database + "\" TO \"init_reader\"")
                .contains("role init_reader may not create the bronze schema cdc_bronze");
        assertThat(catalog(database)).as("catalog after the refused --init").isEqualTo(before);
    }

    @Test
    void shouldInitWithTheGrantsTheMessagesName() throws Exception {
        String database = POSTGRES.newDatabase("granted");
        try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement()) {
            loadSource(c);
            s.execute("ALTER TABLE rental REPLICA IDENTITY DEFAULT");
            s.execute("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app_owner') THEN"
                    + " CREATE ROLE app_owner NOLOGIN; CREATE ROLE granted_reader LOGIN REPLICATION; END IF; END $$");
            for (String table : List.of("customer", "payment", "rental")) {
                s.execute("ALTER TABLE " + table + " OWNER TO app_owner");
            }
            s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO granted_reader");
            // What the refusal names for a table owner that is not a superuser, and for the database.
            s.execute("GRANT app_owner TO granted_reader");
            s.execute("GRANT CREATE ON DATABASE " + database + " TO granted_reader");
        }
        runJob(yaml(POSTGRES.server().port(), database, "granted_reader", "").replace("it_slot", "granted_slot"));

        BronzeCdcJob.prepare(PipelineConfigLoader.load(dir.resolve("pipeline.yaml")), 1, true, false);

        try (Connection c = POSTGRES.connect(database)) {
            assertThat(single(c, "SELECT count(*) FROM pg_publication_tables WHERE pubname = 'it_pub'")).isEqualTo(3);
            assertThat(single(c, "SELECT count(*) FROM pg_class WHERE oid = 'public.rental'::regclass"
                    + " AND relreplident = 'f'")).isEqualTo(1);
            assertThat(single(c, "SELECT count(*) FROM pg_namespace WHERE nspname = 'cdc_bronze'"
                    + " AND nspowner = 'granted_reader'::regrole")).isEqualTo(1);
        }
    }

    @Test
    void shouldAddAConfiguredTableThePublicationMisses() throws Exception {
        String database = POSTGRES.newDatabase("addtable");
        try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement()) {
            loadSource(c);
            s.execute("CREATE PUBLICATION it_pub FOR TABLE customer, payment WITH (publish_via_partition_root = true)");
        }
        String yaml = yaml(POSTGRES.server().port(), database, "postgres", "").replace("it_slot", "add_slot");

        Result refused = runJob(yaml);
        assertThat(refused.exitCode()).isEqualTo(BronzeCdcJob.EXIT_NOT_READY);
        assertThat(refused.stderr()).contains("publication it_pub does not publish \"public\".\"rental\": run ALTER"
                + " PUBLICATION \"it_pub\" ADD TABLE \"public\".\"rental\"; (or start with --init)");

        BronzeCdcJob.prepare(PipelineConfigLoader.load(dir.resolve("pipeline.yaml")), 1, true, false);
        try (Connection c = POSTGRES.connect(database)) {
            assertThat(single(c, "SELECT count(*) FROM pg_publication_tables WHERE pubname = 'it_pub'"
                    + " AND schemaname = 'public' AND tablename IN ('customer', 'payment', 'rental')")).isEqualTo(3);
            assertThat(single(c, "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()"))
                    .isZero();
        }
    }

    @Test
    void shouldRefuseABronzeSchemaWithRowsWhenStartingWithoutStateBeforeSubmitting() throws Exception {
        String database = databaseWithBronzeRows("written");
        try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE rental REPLICA IDENTITY DEFAULT");
        }
        String before = catalog(database);

        Result result = runJob(yaml(POSTGRES.server().port(), database, "postgres", "")
                .replace("it_slot", "written_slot"), "--init");

        assertThat(result.exitCode()).isEqualTo(BronzeCdcJob.EXIT_NOT_READY);
        assertThat(result.stderr()).contains("(1 problem; nothing was changed)",
                "bronze schema cdc_bronze already holds rows (cdc_bronze.br_payment_cdc lsn 1..2) but replication slot"
                        + " written_slot does not exist", "Rebuild").doesNotContain("\tat ");
        assertThat(catalog(database)).as("no slot, no publication change, no replica identity change")
                .isEqualTo(before);
    }

    /**
     * A start without state resumes what the pgoutput source's sink wrote (its progress rows); rows it did not write
     * (the Flink CDC source's sink, another pipeline) cannot be resumed.
     */
    @Test
    void shouldRefuseBronzeRowsThatItsSinkDidNotRecordWhenStartingWithoutState() throws Exception {
        String database = databaseWithBronzeRows("foreign");
        try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement()) {
            s.execute("SELECT pg_create_logical_replication_slot('foreign_slot', 'pgoutput')");
        }
        String before = catalog(database);

        Result result = runJob(yaml(POSTGRES.server().port(), database, "postgres", "")
                .replace("it_slot", "foreign_slot"), "--init");

        assertThat(result.exitCode()).isEqualTo(BronzeCdcJob.EXIT_NOT_READY);
        assertThat(result.stderr()).contains("(1 problem; nothing was changed)",
                "bronze schema cdc_bronze holds rows that this source's sink did not record in"
                        + " cdc_bronze.bronze_log_progress (cdc_bronze.br_payment_cdc lsn 1..2)",
                "flink run -s <path>").doesNotContain("\tat ");
        assertThat(catalog(database)).as("no publication change, no replica identity change").isEqualTo(before);
    }

    /** A new database with the source tables, their publication and two rows in bronze's payment log. */
    private static String databaseWithBronzeRows(String label) throws Exception {
        String database = POSTGRES.newDatabase(label);
        try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement()) {
            loadSource(c);
            s.execute("CREATE PUBLICATION it_pub FOR TABLE customer, payment, rental WITH (publish_via_partition_root = true)");
            BronzeMigrator.migrate(c, BronzeSchema.defaultSchema(), PipelineUnderTest.TABLES);
            s.execute("INSERT INTO cdc_bronze.br_payment_cdc (lsn, op, full_row, source_lsn) VALUES"
                    + " (1, 'I', '{}', 0), (2, 'I', '{}', 0)");
        }
        return database;
    }

    @Test
    void shouldSeeTheSavepointPathThatFlinkRunPassesToMain() {
        // What CliFrontend does for `flink run -s <path>`: ProgramOptions puts the path into the effective
        // configuration as execution.savepoint.path, and ClientUtils.executeProgram makes that configuration the
        // context of the environment main asks for.
        Configuration effective = new Configuration();
        effective.set(StateRecoveryOptions.SAVEPOINT_PATH, "file:///checkpoints/chk-7");
        StreamContextEnvironment.setAsContext(new DefaultExecutorServiceLoader(), effective,
                getClass().getClassLoader(), false, false);
        try {
            assertThat(BronzeCdcJob.restoresState(StreamExecutionEnvironment.getExecutionEnvironment()
                    .getConfiguration())).isTrue();
        } finally {
            StreamContextEnvironment.unsetAsContext();
        }
        assertThat(BronzeCdcJob.restoresState(StreamExecutionEnvironment.getExecutionEnvironment()
                .getConfiguration())).isFalse();
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
        Result result = runJob(yaml(1, "nowhere", "postgres", "tables: [customer, 'Order Items']\nbronze:\n  schemma: x"));
        assertThat(result.exitCode()).isEqualTo(BronzeCdcJob.EXIT_NOT_READY);
        assertThat(result.stderr()).contains("has 2 problems", "tables[1]", "'Order Items'",
                "white space inside an unquoted name", "bronze.schemma",
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
                """.formatted(port, database, user, password,
                extra.contains("tables:") ? extra : "tables: [customer, payment, rental]\n" + extra);
    }

    private Result runJob(String yaml, String... options) throws Exception {
        Path config = dir.resolve("pipeline.yaml");
        Files.writeString(config, yaml);
        StringWriter err = new StringWriter();
        String[] args = Stream.concat(Stream.of("--config", config.toString()), Stream.of(options))
                .toArray(String[]::new);
        int exitCode = BronzeCdcJob.commandLine().setErr(new PrintWriter(err)).execute(args);
        System.out.println("bronze-cdc-job " + String.join(" ", args) + " -> " + exitCode + "\n" + err);
        return new Result(exitCode, err.toString());
    }

    /**
     * What --init could change, as one comparable text: publications and their tables, replica identities,
     * schemas, replication slots and the bronze rows.
     */
    private static String catalog(String database) throws SQLException {
        try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT string_agg(item, E'\\n' ORDER BY item) FROM ("
                        + " SELECT 'publication ' || pubname || ' viaroot=' || pubviaroot::text FROM pg_publication"
                        + " UNION ALL SELECT 'published ' || pubname || ' ' || schemaname || '.' || tablename"
                        + "   FROM pg_publication_tables"
                        + " UNION ALL SELECT 'identity ' || c.oid::regclass || ' ' || c.relreplident::text FROM pg_class c"
                        + "   JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
                        + "   AND c.relkind IN ('r', 'p')"
                        + " UNION ALL SELECT 'schema ' || nspname FROM pg_namespace"
                        + " UNION ALL SELECT 'slot ' || slot_name FROM pg_replication_slots"
                        + " UNION ALL SELECT 'rows ' || c.oid::regclass || ' ' || (xpath('/row/n/text()', query_to_xml("
                        + "   'SELECT count(*) AS n FROM ' || c.oid::regclass, false, true, '')))[1]::text FROM pg_class c"
                        + "   JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'cdc_bronze'"
                        + "   AND c.relkind = 'r') catalog(item)")) {
            rs.next();
            return rs.getString(1);
        }
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
