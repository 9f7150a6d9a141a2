package io.bronzecdc.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.config.PipelineConfig.TargetConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The optional {@code target:} block: bronze in its own database, with its own password, never shown. */
class TargetConfigTest {
    private static final String SOURCE_PASSWORD = "source-Pa55";
    private static final String TARGET_PASSWORD = "target-Pa55";
    private static final Function<String, String> ENVIRONMENT =
            Map.of("PG_PASSWORD", SOURCE_PASSWORD, "BRONZE_PASSWORD", TARGET_PASSWORD)::get;

    private static final String SOURCE = """
            source:
              host: db.example.org
              database: shop
              user: cdc_reader
              password:
                env: PG_PASSWORD
              sslmode: verify-full
              slot:
                name: bronze_cdc_slot
              publication:
                name: bronze_cdc_pub
            tables: [orders]
            """;

    private static final String TARGET = """
            target:
              host: warehouse.example.org
              port: 6432
              database: lake
              user: bronze_writer
              password:
                env: BRONZE_PASSWORD
              sslmode: verify-ca
            """;

    @Test
    void shouldWriteBronzeIntoTheSourceDatabaseWithoutATarget() {
        PipelineConfig config = parse(SOURCE);

        assertThat(config.hasSeparateTarget()).isFalse();
        assertThat(config.bronzeDatabase()).isSameAs(config.source());
        assertThat(config.bronzeDatabase().keyPrefix()).isEqualTo("source");
    }

    @Test
    void shouldReadTheTargetBlockWithItsOwnPassword() {
        PipelineConfig config = parse(SOURCE + TARGET);

        assertThat(config.hasSeparateTarget()).isTrue();
        assertThat(config.bronzeDatabase()).isEqualTo(new TargetConfig("warehouse.example.org", 6432, "lake",
                "bronze_writer", Secret.of(TARGET_PASSWORD), SslMode.VERIFY_CA));
        assertThat(config.bronzeDatabase().jdbcUrl()).isEqualTo("jdbc:postgresql://warehouse.example.org:6432/lake"
                + "?sslmode=verify-ca");
        assertThat(config.bronzeDatabase().keyPrefix()).isEqualTo("target");
        assertThat(config.source().password().reveal()).isEqualTo(SOURCE_PASSWORD);
    }

    @Test
    void shouldReadTheTargetPasswordFromAFileAndDefaultThePort(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("bronze.pw"), TARGET_PASSWORD + "\n");
        PipelineConfig config = parse(SOURCE + """
                target.host: warehouse.example.org
                target.database: lake
                target.user: bronze_writer
                target.password.file: %s
                target.sslmode: require
                """.formatted(file));

        assertThat(config.bronzeDatabase().port()).isEqualTo(5432);
        assertThat(config.bronzeDatabase().password().reveal()).isEqualTo(TARGET_PASSWORD);
    }

    @Test
    void shouldNeverShowEitherPassword() {
        PipelineConfig config = parse(SOURCE + TARGET);

        assertThat(config.toString()).doesNotContain(SOURCE_PASSWORD, TARGET_PASSWORD).contains("TargetConfig[");
        assertThat(PipelineConfigDescriber.describe(config)).doesNotContain(SOURCE_PASSWORD, TARGET_PASSWORD)
                .contains("target.host=warehouse.example.org, target.port=6432, target.database=lake,"
                        + " target.user=bronze_writer, target.password=******, target.sslmode=verify-ca");
        assertThat(PipelineConfigDescriber.describe(parse(SOURCE))).doesNotContain("target.");
    }

    @Test
    void shouldListEveryMissingTargetKeyAtOnce() {
        assertThatThrownBy(() -> parse(SOURCE + """
                target:
                  host: warehouse.example.org
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("target.database").hasMessageContaining("target.user")
                .hasMessageContaining("target.sslmode")
                .hasMessageContaining("target.password.env or target.password.file")
                .hasMessageContaining("remove the block to write bronze into the source database");
    }

    @Test
    void shouldRejectAPlainTargetPasswordWithoutQuotingIt() {
        assertThatThrownBy(() -> parse(SOURCE + TARGET.replace("""
                  password:
                    env: BRONZE_PASSWORD
                """, "  password: " + TARGET_PASSWORD + "\n")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("target.password")
                .hasMessageNotContaining(TARGET_PASSWORD);
    }

    @Test
    void shouldNameTheTargetVariableWhenItIsNotSet() {
        assertThatThrownBy(() -> PipelineConfigLoader.parse(SOURCE + TARGET, "test.yaml",
                Map.of("PG_PASSWORD", SOURCE_PASSWORD)::get))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("target.password.env")
                .hasMessageContaining("no variable BRONZE_PASSWORD in the environment")
                .hasMessageContaining("target password");
    }

    @Test
    void shouldSuggestTheTargetKeyForATypo() {
        assertThatThrownBy(() -> parse(SOURCE + TARGET.replace("database: lake", "databse: lake")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("target.databse")
                .hasMessageContaining("did you mean target.database?");
    }

    private static PipelineConfig parse(String yaml) {
        return PipelineConfigLoader.parse(yaml, "test.yaml", ENVIRONMENT);
    }
}
