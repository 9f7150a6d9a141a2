package io.bronzecdc.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.config.PipelineConfig.BronzeConfig;
import io.bronzecdc.model.config.PipelineConfig.SourceConfig;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.TablePattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineConfigTest {
    private static final SourceConfig SOURCE = new SourceConfig("db.example.org", 5433, "pagila", "cdc_reader",
            Secret.of("hunter2"), SslMode.VERIFY_FULL, "bronze_slot", "bronze_pub");

    @Test
    void shouldBuildJdbcUrlWithoutCredentials() {
        assertThat(SOURCE.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.org:5433/pagila?sslmode=verify-full");
        assertThat(new SourceConfig("::1", 5432, "my db", "u", Secret.of("pw"), SslMode.DISABLE, "s", "p").jdbcUrl())
                .isEqualTo("jdbc:postgresql://[::1]:5432/my+db?sslmode=disable");
    }

    @Test
    void shouldMaskPasswordInToString() {
        PipelineConfig config = new PipelineConfig(SOURCE, new BronzeConfig("cdc_bronze"),
                List.of(TableId.of("payment")), Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofSeconds(1));

        assertThat(SOURCE.toString()).isEqualTo("SourceConfig[host=db.example.org, port=5433, database=pagila,"
                + " user=cdc_reader, password=******, sslMode=verify-full, slotName=bronze_slot,"
                + " publicationName=bronze_pub]");
        assertThat(config.toString()).contains("password=******").doesNotContain("hunter2");
    }

    @Test
    void shouldCopyTableList() {
        List<TableId> tables = new ArrayList<>(List.of(TableId.of("payment")));
        PipelineConfig config = new PipelineConfig(SOURCE, new BronzeConfig("cdc_bronze"), tables,
                Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofSeconds(1));
        tables.add(TableId.of("rental"));

        assertThat(config.tables().include()).containsExactly(TablePattern.parse("payment"));
        assertThatThrownBy(() -> config.tables().include().add(TablePattern.parse("rental")))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void shouldGuardInvariantsNamingTheField() {
        BronzeConfig bronze = new BronzeConfig("cdc_bronze");
        List<TableId> payment = List.of(TableId.of("payment"));
        Duration minute = Duration.ofMinutes(1);

        assertThatThrownBy(() -> new PipelineConfig(SOURCE, bronze, payment, Duration.ZERO, minute, minute))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("batchInterval must be positive but was PT0S");
        assertThatThrownBy(() -> new PipelineConfig(SOURCE, bronze, List.of(), minute, minute, minute))
                .hasMessage("tables must include at least one pattern");
        assertThatThrownBy(() -> new SourceConfig("h", 0, "d", "u", Secret.of("p"), SslMode.REQUIRE, "s", "p"))
                .hasMessage("port must be 1..65535 but was 0");
        assertThatThrownBy(() -> new SourceConfig("h", 1, "d", "u", Secret.of("p"), SslMode.REQUIRE, "a-b", "p"))
                .hasMessage("slotName must be 1 to 63 characters from [a-z0-9_] but was 'a-b'");
        assertThatThrownBy(() -> SourceConfig.requireSlotName("a".repeat(64)))
                .hasMessageStartingWith("slotName must be 1 to 63 characters");
        assertThat(SourceConfig.requireSlotName("a".repeat(63))).hasSize(63);
    }
}
