package io.bronzecdc.model.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.config.PipelineConfig.BronzeConfig;
import io.bronzecdc.model.config.PipelineConfig.SourceConfig;
import io.bronzecdc.model.event.TableId;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineConfigDescriberTest {

    @Test
    void shouldDescribeEffectiveConfigOnOneLineWithPasswordMasked() {
        PipelineConfig config = new PipelineConfig(
                new SourceConfig("db.example.org", 5432, "pagila", "cdc_reader", Secret.of("hunter2"),
                        SslMode.VERIFY_FULL, "bronze_slot", "bronze_pub"),
                new BronzeConfig("cdc_bronze"), List.of(TableId.of("payment"), new TableId("sales", "rental")),
                Duration.ofMinutes(5), Duration.ofMillis(1500), Duration.ofSeconds(1));

        assertThat(PipelineConfigDescriber.describe(config)).isEqualTo("source.host=db.example.org,"
                + " source.port=5432, source.database=pagila, source.user=cdc_reader, source.password=******,"
                + " source.sslmode=verify-full, source.slot.name=bronze_slot, source.publication.name=bronze_pub,"
                + " source.connector=pgoutput,"
                + " bronze.schema=cdc_bronze, tables=[public.payment, sales.rental], batch.interval=5m,"
                + " lag.threshold=1500ms, checkpoint.interval=1s");
    }

    @Test
    void shouldGenerateKeyReferenceFromDeclarations() {
        String reference = PipelineConfigDescriber.keyReference();

        assertThat(reference.lines()).hasSize(2 + PipelineConfigKeys.ALL.size());
        assertThat(reference)
                .contains("| `source.port` | default 5432 | an integer 1..65535 | TCP port of the PostgreSQL"
                        + " source server. |")
                .contains("| `source.sslmode` | required | one of disable, allow, prefer, require, verify-ca,"
                        + " verify-full |")
                .contains("| `tables` | required | a non-empty list of distinct table patterns")
                .contains("| `tables.exclude` | optional | a list of distinct table patterns")
                .contains("| `batch.interval` | default 5m |")
                .contains("| `source.password.env` | optional |");
    }
}
