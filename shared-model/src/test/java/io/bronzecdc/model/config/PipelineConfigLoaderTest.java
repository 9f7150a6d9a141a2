package io.bronzecdc.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.list;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.TablePattern;
import io.bronzecdc.model.source.TableSelection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineConfigLoaderTest {
    private static final String PASSWORD = "s3cr3t-Pa55";
    private static final Function<String, String> ENVIRONMENT = Map.of("PG_PASSWORD", PASSWORD)::get;

    /** Every required key but tables, password from the environment, nothing else. */
    private static final String MINIMAL_SOURCE = """
            source:
              host: db.example.org
              database: pagila
              user: cdc_reader
              password:
                env: PG_PASSWORD
              sslmode: verify-full
              slot:
                name: bronze_cdc_slot
              publication:
                name: bronze_cdc_pub
            """;
    /** Every required key, password from the environment, nothing else. */
    private static final String MINIMAL = MINIMAL_SOURCE + "tables: [customer, payment, rental]\n";

    @Test
    void shouldLoadMinimalConfigWithDefaults() {
        PipelineConfig config = parse(MINIMAL);

        assertThat(config.source()).isEqualTo(new PipelineConfig.SourceConfig("db.example.org", 5432, "pagila",
                "cdc_reader", Secret.of(PASSWORD), SslMode.VERIFY_FULL, "bronze_cdc_slot", "bronze_cdc_pub"));
        assertThat(config.bronze().schema()).isEqualTo("cdc_bronze");
        assertThat(config.tables()).isEqualTo(TableSelection.of(List.of(TablePattern.parse("customer"),
                TablePattern.parse("payment"), TablePattern.parse("rental"))));
        assertThat(config.batchInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.lagThreshold()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.checkpointInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.connector()).isEqualTo(SourceConnector.PGOUTPUT);
    }

    @Test
    void shouldReadTheFlinkSourceConnector() {
        assertThat(parse(MINIMAL + "source.connector: flink-cdc\n").connector()).isEqualTo(SourceConnector.FLINK_CDC);
        assertThat(parse(MINIMAL + "source.connector: pgoutput\n").connector()).isEqualTo(SourceConnector.PGOUTPUT);
        assertThatThrownBy(() -> PipelineConfigLoader.parse(MINIMAL + "source.connector: debezium\n",
                "/etc/bronze/pipeline.yaml", ENVIRONMENT))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("source.connector: expected one of pgoutput, flink-cdc but found 'debezium'");
    }

    @Test
    void shouldReadDottedKeysLikeNestedOnes() {
        PipelineConfig nested = parse(MINIMAL_SOURCE + """
                bronze:
                  schema: bronze_test
                tables: [payment, sales.rental]
                batch:
                  interval: 30s
                lag:
                  threshold: 1h
                checkpoint:
                  interval: 500ms
                """);
        PipelineConfig dotted = parse("""
                source.host: db.example.org
                source.database: pagila
                source.user: cdc_reader
                source.password.env: PG_PASSWORD
                source.sslmode: verify-full
                source.slot.name: bronze_cdc_slot
                source: {publication.name: bronze_cdc_pub}
                bronze.schema: bronze_test
                tables:
                  - payment
                  - sales.rental
                batch.interval: 30s
                lag.threshold: 1h
                checkpoint.interval: 500ms
                """);

        assertThat(dotted).isEqualTo(nested);
        assertThat(dotted.bronze().schema()).isEqualTo("bronze_test");
        assertThat(dotted.tables().include()).containsExactly(TablePattern.parse("public.payment"),
                TablePattern.parse("\"sales\".\"rental\""));
        assertThat(dotted.batchInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(dotted.lagThreshold()).isEqualTo(Duration.ofHours(1));
        assertThat(dotted.checkpointInterval()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void shouldListEveryProblemAtOnce() {
        String yaml = """
                source:
                  host: db.example.org
                  hots: db2.example.org
                  port: abc
                  database: pagila
                  user: cdc_reader
                  password.env: PG_MISSING
                  sslmode: verify-full
                  slot.name: bronze_cdc_slot
                  publication.name: bronze_cdc_pub
                tables: [payment, "x.\\"Orders"]
                """;

        assertThatThrownBy(() -> PipelineConfigLoader.parse(yaml, "/etc/bronze/pipeline.yaml", ENVIRONMENT))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("pipeline config /etc/bronze/pipeline.yaml has 4 problems:\n  - ")
                .hasMessageContaining("source.port: expected an integer 1..65535 but found 'abc'")
                .hasMessageContaining("source.password.env: expected environment variable PG_MISSING to hold the"
                        + " source password but found no variable PG_MISSING in the environment")
                .hasMessageContaining("tables[1]: expected a table pattern written schema.table or table but found"
                        + " 'x.\"Orders'; the quoted name starting at character 3 has no closing quote")
                .hasMessageContaining("source.hots: expected a known key but found an unknown key;"
                        + " did you mean source.host?")
                .asInstanceOf(type(ConfigException.class))
                .extracting(ConfigException::problems, list(ConfigProblem.class))
                .extracting(ConfigProblem::key)
                .containsExactly("source.port", "source.password.env", "tables[1]", "source.hots");
    }

    @Test
    void shouldRejectPlainPasswordWithoutQuotingIt() {
        String yaml = MINIMAL.replace("password:\n    env: PG_PASSWORD", "password: " + PASSWORD);

        assertThatProblems(yaml)
                .hasMessageContaining("source.password: expected no password in the config file but found a plain"
                        + " password (value not shown); remove it; put the password in an environment variable and"
                        + " name that in source.password.env, or in a file and give its path in"
                        + " source.password.file")
                .hasMessageContaining("has 1 problem:")
                .hasMessageNotContaining(PASSWORD);
    }

    @Test
    void shouldReadPasswordFileWithoutTrailingNewline(@TempDir Path dir) throws IOException {
        Path passwordFile = Files.writeString(dir.resolve("pg.pass"), PASSWORD + " \n", StandardCharsets.UTF_8);
        String yaml = MINIMAL.replace("env: PG_PASSWORD", "file: " + passwordFile);

        PipelineConfig config = PipelineConfigLoader.parse(yaml, "test.yaml", name -> null);

        assertThat(config.source().password().reveal()).isEqualTo(PASSWORD + " ");
        assertThat(config.toString()).contains("password=******").doesNotContain(PASSWORD);
        assertThat(config.source().toString()).contains("password=******").doesNotContain(PASSWORD);
        assertThat(config.source().jdbcUrl()).doesNotContain(PASSWORD);
    }

    @Test
    void shouldKeepPasswordOutOfProblemMessages(@TempDir Path dir) throws IOException {
        Path passwordFile = Files.writeString(dir.resolve("pg.pass"), PASSWORD + "\n", StandardCharsets.UTF_8);
        String yaml = MINIMAL.replace("env: PG_PASSWORD", "file: " + passwordFile) + "source.port: 0\n";

        assertThatProblems(yaml)
                .hasMessageContaining("source.port: expected an integer 1..65535 but found the number 0")
                .hasMessageNotContaining(PASSWORD);
    }

    @Test
    void shouldNameUnreadablePasswordFile(@TempDir Path dir) {
        Path missing = dir.resolve("absent.pass");
        Path directory = dir;

        assertThatProblems(MINIMAL.replace("env: PG_PASSWORD", "file: " + missing))
                .hasMessageContaining("source.password.file: expected a readable UTF-8 file holding the source"
                        + " password but found no file at " + missing + "; check the path");
        assertThatProblems(MINIMAL.replace("env: PG_PASSWORD", "file: " + directory))
                .hasMessageContaining("but found a directory at " + directory);
    }

    @Test
    void shouldRejectEmptyPasswordFileAndVariable(@TempDir Path dir) throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.pass"), "\r\n", StandardCharsets.UTF_8);

        assertThatProblems(MINIMAL.replace("env: PG_PASSWORD", "file: " + empty))
                .hasMessageContaining("source.password.file: expected a readable UTF-8 file holding the source"
                        + " password but found an empty file at " + empty);
        assertThatThrownBy(() -> PipelineConfigLoader.parse(MINIMAL, "test.yaml", Map.of("PG_PASSWORD", "")::get))
                .hasMessageContaining("source.password.env: expected environment variable PG_PASSWORD to hold the"
                        + " source password but found PG_PASSWORD set but empty");
    }

    @Test
    void shouldRequireExactlyOnePasswordSource() {
        assertThatProblems(MINIMAL.replace("    env: PG_PASSWORD", "    env: PG_PASSWORD\n    file: /run/pg.pass"))
                .hasMessageContaining("source.password.env or source.password.file: expected exactly one of them"
                        + " but found both; remove one of them");
        assertThatProblems(MINIMAL.replace("  password:\n    env: PG_PASSWORD\n", ""))
                .hasMessageContaining("source.password.env or source.password.file: expected exactly one of them"
                        + " but found neither; set source.password.env");
    }

    @Test
    void shouldRequireSslModeWithoutDefault() {
        assertThatProblems(MINIMAL.replace("  sslmode: verify-full\n", ""))
                .hasMessageEndingWith("has 1 problem:\n  - source.sslmode: expected one of disable, allow, prefer,"
                        + " require, verify-ca, verify-full but found no value; add source.sslmode to the config"
                        + " file; it is required and has no default");
        assertThatProblems(MINIMAL.replace("sslmode: verify-full", "sslmode: VERIFY_FULL"))
                .hasMessageContaining("source.sslmode: expected one of disable, allow, prefer, require, verify-ca,"
                        + " verify-full but found 'VERIFY_FULL'");
        assertThat(parse(MINIMAL.replace("sslmode: verify-full", "sslmode: disable")).source().sslMode())
                .isEqualTo(SslMode.DISABLE);
    }

    @Test
    void shouldReportEveryMissingRequiredKey() {
        assertThatThrownBy(() -> PipelineConfigLoader.parse("", "empty.yaml", ENVIRONMENT))
                .asInstanceOf(type(ConfigException.class))
                .extracting(ConfigException::problems, list(ConfigProblem.class))
                .extracting(ConfigProblem::key)
                .containsExactly("source.host", "source.database", "source.user",
                        "source.password.env or source.password.file", "source.sslmode", "source.slot.name",
                        "source.publication.name", "tables");
    }

    @Test
    void shouldRejectBadNamesAndDurations() {
        String yaml = MINIMAL.replace("name: bronze_cdc_slot", "name: Bronze-Slot")
                + "bronze.schema: Bronze\nbatch.interval: 300\nlag.threshold: 0m\n";

        assertThatProblems(yaml)
                .hasMessageContaining("has 4 problems:")
                .hasMessageContaining("source.slot.name: expected a replication slot name: 1 to 63 characters from"
                        + " [a-z0-9_] but found 'Bronze-Slot'")
                .hasMessageContaining("bronze.schema: expected a lower-case SQL identifier ([a-z_][a-z0-9_]*, at"
                        + " most 63 characters) but found 'Bronze'")
                .hasMessageContaining("batch.interval: expected " + DurationSyntax.EXPECTED
                        + " but found the number 300; write the number and the unit together, for example 300s")
                .hasMessageContaining("lag.threshold: expected " + DurationSyntax.EXPECTED + " but found '0m'");
    }

    @Test
    void shouldRejectDuplicateAndEmptyTableLists() {
        assertThatProblems(MINIMAL_SOURCE + "tables: [payment, public.payment]\n")
                .hasMessageContaining("tables[1]: expected each pattern once but found 'public.payment' again, as in"
                        + " tables[0]; remove the duplicate");
        assertThatProblems(MINIMAL_SOURCE + "tables: []\n")
                .hasMessageContaining("tables: expected a non-empty list of distinct table patterns")
                .hasMessageContaining("but found an empty list");
        assertThatProblems(MINIMAL_SOURCE + "tables: payment\n")
                .hasMessageContaining("tables: expected a non-empty list")
                .hasMessageContaining("but found 'payment'; write a YAML list, for example [\"public.*\"]");
        assertThatProblems(MINIMAL_SOURCE)
                .hasMessageContaining("tables: expected a list of table patterns, or a mapping with include (and"
                        + " optionally exclude) lists but found no value");
    }

    @Test
    void shouldReadIncludeAndExcludePatternsKeyingEachProblem() {
        PipelineConfig config = parse(MINIMAL_SOURCE + """
                tables:
                  include: ["public.*", "sales.order_*", "\\"Mixed Case\\".\\"Order Items\\""]
                  exclude: ["public.tmp_*"]
                """);
        assertThat(config.tables().include()).extracting(TablePattern::text)
                .containsExactly("public.*", "sales.order_*", "\"Mixed Case\".\"Order Items\"");
        assertThat(config.tables().exclude()).containsExactly(TablePattern.parse("public.tmp_*"));
        assertThat(config.tables().shorthand()).isFalse();
        assertThat(parse(MINIMAL_SOURCE + "tables: {include: [a]}\n").tables().exclude()).isEmpty();

        assertThatThrownBy(() -> parse(MINIMAL_SOURCE + """
                tables:
                  include: [ok, "a.b.c", "Order Items"]
                  exclude: ["\\"open"]
                """)).asInstanceOf(type(ConfigException.class))
                .extracting(ConfigException::problems, list(ConfigProblem.class))
                .extracting(ConfigProblem::key)
                .containsExactly("tables.include[1]", "tables.include[2]", "tables.exclude[0]");
        assertThatProblems(MINIMAL_SOURCE + "tables: [\"Order Items\"]\n")
                .hasMessageContaining("tables[0]: expected a table pattern written schema.table or table but found"
                        + " 'Order Items'; white space inside an unquoted name at character 6; quote the whole name");
        assertThatProblems(MINIMAL_SOURCE + "tables: {exclude: [a]}\n")
                .hasMessageContaining("tables: expected a list of table patterns, or a mapping with include (and"
                        + " optionally exclude) lists but found exclude without include");
        assertThatProblems(MINIMAL_SOURCE + "tables: [a]\ntables.exclude: [b]\n")
                .hasMessageContaining("tables: expected either a list of patterns or a mapping with include and"
                        + " exclude but found both");
    }

    @Test
    void shouldSuggestKnownKeyForUnknownOne() {
        assertThatProblems(MINIMAL + "slot.name: other_slot\nSource.Port: 5433\nretries: 3\n")
                .hasMessageContaining("slot.name: expected a known key but found an unknown key; did you mean"
                        + " source.slot.name?")
                .hasMessageContaining("Source.Port: expected a known key but found an unknown key; did you mean"
                        + " source.port?")
                .hasMessageContaining("retries: expected a known key but found an unknown key; remove it; the"
                        + " known keys are source.host, source.port,")
                .hasMessageNotContaining("other_slot");
    }

    @Test
    void shouldRejectKeyWrittenTwice() {
        assertThatProblems(MINIMAL + "source.host: db2.example.org\n")
                .hasMessageContaining("source.host: expected each key once but found it twice, in nested and in"
                        + " dotted form; keep one of them");
        assertThatProblems("batch.interval: 5m\nbatch.interval: 6m\n")
                .hasMessageContaining("line 2, column ")
                .hasMessageContaining("Duplicate field 'batch.interval'");
    }

    @Test
    void shouldReportYamlSyntaxErrorWithLineAndColumnButNotTheLine() {
        String yaml = "source:\n  host: db\n  user: x: " + PASSWORD + "\n";

        assertThatProblems(yaml)
                .hasMessageContaining("has 1 problem:\n  - line 3, column 10: expected valid YAML but found a syntax"
                        + " error: mapping values are not allowed here; fix the YAML syntax")
                .hasMessageNotContaining(PASSWORD)
                .hasNoCause();
    }

    @Test
    void shouldLoadFileAndNameMissingOne(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("pipeline.yaml"), MINIMAL, StandardCharsets.UTF_8);
        Path missing = dir.resolve("absent.yaml");

        assertThat(PipelineConfigLoader.load(file, ENVIRONMENT).source().host()).isEqualTo("db.example.org");
        assertThatThrownBy(() -> PipelineConfigLoader.load(missing, ENVIRONMENT))
                .isInstanceOf(ConfigException.class)
                .hasMessage("pipeline config " + missing + " has 1 problem:\n  - config file: expected a readable"
                        + " UTF-8 YAML file at " + missing + " but found no such file; check the path given to the"
                        + " job and that the job's user may read it")
                .hasCauseInstanceOf(NoSuchFileException.class);
    }

    private static PipelineConfig parse(String yaml) {
        return PipelineConfigLoader.parse(yaml, "test.yaml", ENVIRONMENT);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertThatProblems(String yaml) {
        return assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class);
    }
}
