package io.bronzecdc.cli.database;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.SlotCapture;
import io.bronzecdc.testkit.pagila.PagilaGenerator;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad input across the database subcommands: each case gives one clear message (asserted), its documented exit code,
 * no stack trace, and changes nothing (the catalog and every table's row count, compared before and after; roles
 * included, which are the server's).
 */
class BadInputIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final String SLOT = "cli_bad";
    private static final String WEAK_ROLE = "cli_bad_weak";
    private static final String PASSWORD_ROLE = "cli_bad_pw";
    private static final String UNSET = "BRONZE_CLI_TEST_UNSET_VARIABLE";

    private static Path dir;
    private static Path good;
    private static String originalHba;
    private static String hbaFile;

    /** One bad input: the arguments ({@code CONFIG} stands for the good config), the exit code, the message. */
    record Case(String name, List<String> args, int exitCode, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    static void aCapturedPagila() throws Exception {
        dir = Files.createTempDirectory("bronze-cli-bad");
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            SourceSchema.create(c);
            PagilaLoader.loadGenerated(c, new PagilaGenerator(5, new PagilaGenerator.Counts(10, 20, 15)));
            SlotCapture.start(c, new BronzeSchema("cli_bad_bronze"), List.of(TableId.of("customer"),
                    TableId.of("rental")), SLOT);
            s.execute("DROP ROLE IF EXISTS " + WEAK_ROLE);
            s.execute("CREATE ROLE " + WEAK_ROLE + " LOGIN");
            s.execute("DROP ROLE IF EXISTS " + PASSWORD_ROLE);
            s.execute("CREATE ROLE " + PASSWORD_ROLE + " LOGIN PASSWORD 'the-right-one'");
            // Password authentication for this one role only (the shared server trusts every other).
            try (ResultSet rs = s.executeQuery("SELECT current_setting('hba_file'),"
                    + " pg_read_file(current_setting('hba_file'))")) {
                rs.next();
                hbaFile = rs.getString(1);
                originalHba = rs.getString(2);
            }
            writeHba(s, "host all " + PASSWORD_ROLE + " 127.0.0.1/32 scram-sha-256\n" + originalHba);
        }
        good = new PipelineYaml(POSTGRES.server().port(), POSTGRES.database(), SLOT).schema("cli_bad_bronze")
                .tables("[customer, rental]").write(dir, "good.yaml");
    }

    @AfterAll
    static void restore() throws SQLException {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            if (originalHba != null) {
                writeHba(s, originalHba);
            }
            s.execute("DROP ROLE IF EXISTS " + WEAK_ROLE);
            s.execute("DROP ROLE IF EXISTS " + PASSWORD_ROLE);
        }
    }

    /** Writes the server's pg_hba.conf through COPY (text format: no tab or backslash may stay). */
    private static void writeHba(Statement s, String content) throws SQLException {
        content = content.replace('\t', ' ');
        if (content.indexOf('\\') >= 0) {
            throw new IllegalStateException("pg_hba.conf holds a backslash, which COPY would double");
        }
        s.execute("COPY (SELECT line FROM unnest(string_to_array(" + literal(content.stripTrailing()) + ", E'\\n'))"
                + " WITH ORDINALITY AS l(line, n) ORDER BY n) TO " + literal(hbaFile));
        s.execute("SELECT pg_reload_conf()");
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    static Stream<Case> cases() throws IOException {
        List<Case> cases = new ArrayList<>();
        String g = good.toString();
        int closedPort = closedPort();
        cases.add(new Case("no subcommand", List.of(), 2, "bronze-cdc: name a command"));
        cases.add(new Case("unknown subcommand", List.of("frobnicate"), 2, "Unmatched argument at index 0: 'frobnicate'"));
        cases.add(new Case("init without --config", List.of("init"), 2, "Missing required option: '--config=FILE'"));
        cases.add(new Case("unknown option", List.of("status", "--config", g, "--bogus"), 2,
                "Unknown option: '--bogus'"));
        cases.add(new Case("missing config file", List.of("status", "--config", dir.resolve("nosuch.yaml").toString()),
                2, "nosuch.yaml"));
        cases.add(new Case("config is a directory", List.of("validate", "--config", dir.toString()), 2,
                "pipeline config " + dir));
        cases.add(new Case("misspelt key", List.of("init", "--config", config("typo.yaml",
                y -> y + "lag_threshold: 5m\n")), 2, "lag_threshold"));
        cases.add(new Case("port not a number", List.of("init", "--config", config("port.yaml",
                y -> y.replaceFirst("port: \\d+", "port: abc"))), 2, "source.port"));
        cases.add(new Case("password in the file", List.of("init", "--config", config("inline.yaml",
                y -> y.replaceFirst("password:\\n    file: .*\\n", "password: hunter2-inline\n"))), 2,
                "source.password"));
        cases.add(new Case("password variable not set", List.of("status", "--config", config("env.yaml",
                y -> y.replaceFirst("file: .*\\n", "env: " + UNSET + "\n"))), 2, "no variable " + UNSET));
        cases.add(new Case("bad bronze schema name", List.of("validate", "--config", config("schema.yaml",
                y -> y.replace("schema: cli_bad_bronze", "schema: Bad-Schema"))), 2, "bronze.schema"));
        cases.add(new Case("unreachable server", List.of("init", "--config", config("port-closed.yaml",
                y -> y.replaceFirst("port: \\d+", "port: " + closedPort))), 2,
                "nothing accepts connections at 127.0.0.1:"));
        cases.add(new Case("wrong password", List.of("init", "--config", config("wrong-password.yaml",
                y -> y.replace("user: postgres", "user: " + PASSWORD_ROLE))), 2,
                "the server rejected the password of role " + PASSWORD_ROLE));
        cases.add(new Case("unknown database", List.of("status", "--config", config("db.yaml",
                y -> y.replaceFirst("database: \\S+", "database: no_such_db"))), 2,
                "database 'no_such_db' does not exist"));
        cases.add(new Case("missing table", List.of("init", "--config", config("table.yaml",
                y -> y.replace("tables: [customer, rental]", "tables: [customer, no_such_table]"))), 2,
                "'no_such_table', which matches none"));
        cases.add(new Case("role without privileges", List.of("init", "--config", config("weak.yaml",
                y -> y.replace("user: postgres", "user: " + WEAK_ROLE).replace("schema: cli_bad_bronze",
                        "schema: cli_bad_other"))), 2, "init refused, nothing was changed"));
        cases.add(new Case("bad role name", List.of("init", "--config", g, "--create-role", "Bad-Name",
                "--role-password-env", "X"), 2, "--create-role: 'Bad-Name' is not a role name"));
        cases.add(new Case("role without password source", List.of("init", "--config", g, "--create-role", "cli_x"),
                2, "needs the role's password from exactly one of --role-password-env VAR and --role-password-file"));
        cases.add(new Case("role password variable not set", List.of("init", "--config", g, "--create-role", "cli_x",
                "--role-password-env", UNSET), 2, "environment variable " + UNSET + " is not set"));
        cases.add(new Case("role password file missing", List.of("init", "--config", g, "--create-role", "cli_x",
                "--role-password-file", dir.resolve("no-password").toString()), 2, "--role-password-file: there is no file "));
        cases.add(new Case("role password without role", List.of("init", "--config", g, "--role-password-file",
                dir.resolve("password").toString()), 2, "go with --create-role NAME"));
        cases.add(new Case("validate bad --schema", List.of("validate", "--config", g, "--schema", "Bad-Name"), 2,
                "--schema: 'Bad-Name' is not a bronze schema name"));
        cases.add(new Case("validate missing schema", List.of("validate", "--config", g, "--schema", "no_such"), 2,
                "bronze schema no_such does not exist in database " + POSTGRES.database()));
        cases.add(new Case("validate --json into a missing directory", List.of("validate", "--config", g, "--json",
                dir.resolve("no/dir/r.json").toString()), 2, "--json: cannot write"));
        cases.add(new Case("status of a missing bronze schema", List.of("status", "--config", config("nobronze.yaml",
                y -> y.replace("schema: cli_bad_bronze", "schema: no_bronze_here"))), 2,
                "bronze schema no_bronze_here does not exist"));
        cases.add(new Case("status bad --watch", List.of("status", "--config", g, "--watch", "soon"), 2,
                "--watch: 'soon' is not an interval"));
        cases.add(new Case("compact into a source schema", List.of("compact", "--config", g, "--into", "public"), 2,
                "compaction refuses to write into schema \"public\": it is a schema of captured source tables"));
        cases.add(new Case("compact into the bronze schema", List.of("compact", "--config", g, "--into",
                "cli_bad_bronze"), 2, "it is the bronze schema"));
        cases.add(new Case("compact into a bad name", List.of("compact", "--config", g, "--into", "Bad Schema"), 2,
                "--into: 'Bad Schema' is not a schema name"));
        cases.add(new Case("compact of a missing bronze schema", List.of("compact", "--config",
                config("nobronze2.yaml", y -> y.replace("schema: cli_bad_bronze", "schema: no_bronze_here"))), 2,
                "bronze schema no_bronze_here does not exist"));
        cases.add(new Case("drop without --yes", List.of("drop", "--config", g), 2,
                "drop needs --yes; it would run:"));
        cases.add(new Case("sample-data missing dir", List.of("sample-data", "--config", g, "--pagila-dir",
                dir.resolve("no-pagila").toString()), 2, "--pagila-dir " + dir.resolve("no-pagila") + " does not exist"));
        cases.add(new Case("sample-data dir and generate", List.of("sample-data", "--config", g, "--pagila-dir",
                dir.toString(), "--generate"), 2, "mutually exclusive"));
        cases.add(new Case("sample-data bad seed", List.of("sample-data", "--config", g, "--generate", "--seed",
                "abc"), 2, "Invalid value for option '--seed': 'abc' is not a long"));
        cases.add(new Case("sample-data over rows", List.of("sample-data", "--config", g, "--generate"), 2,
                "already holds Pagila rows in public.customer (10 rows)"));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachBadInputGivesOneClearMessageAndChangesNothing(Case bad) throws Exception {
        List<String> before = snapshot();

        CliRun run = CliRun.of(bad.args().toArray(String[]::new));

        assertThat(run.exitCode()).as(run.all()).isEqualTo(bad.exitCode());
        assertThat(run.err()).as(run.all()).contains(bad.message()).doesNotContain("\tat ", "Caused by",
                "not-a-real-secret", "hunter2");
        assertThat(run.out()).as("nothing on standard output").doesNotContain("init: done", "loaded ");
        assertThat(snapshot()).as("nothing changed").isEqualTo(before);
    }

    @Test
    void listsAtLeastTwentyFiveCases() throws IOException {
        assertThat(cases().count()).isGreaterThanOrEqualTo(25);
    }

    private static String config(String name, UnaryOperator<String> edit) throws IOException {
        return Files.writeString(dir.resolve(name), edit.apply(Files.readString(good))).toString();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static List<String> snapshot() throws SQLException {
        List<String> lines = new ArrayList<>();
        try (Connection c = POSTGRES.connect()) {
            lines.addAll(CatalogSnapshot.of(c));
        }
        try (Connection c = POSTGRES.connect("postgres"); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT datname FROM pg_database ORDER BY 1")) {
            while (rs.next()) {
                lines.add("database " + rs.getString(1));
            }
        }
        return lines;
    }
}
