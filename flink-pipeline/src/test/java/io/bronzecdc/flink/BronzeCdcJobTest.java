package io.bronzecdc.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.Secret;
import io.bronzecdc.model.config.SslMode;
import io.bronzecdc.model.event.TableId;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BronzeCdcJobTest {
    @Test
    void shouldGiveDistinctSinkIdsToPipelinesWhoseSlotAndSchemaJoinAlike() {
        assertThat(BronzeCdcJob.sinkId(config("p_x", "cdc"))).isNotEqualTo(BronzeCdcJob.sinkId(config("p", "x_cdc")));
        assertThat(BronzeCdcJob.sinkId(config("p_x", "cdc"))).isEqualTo("3_p_x_cdc");
    }

    private static PipelineConfig config(String slot, String schema) {
        return new PipelineConfig(new PipelineConfig.SourceConfig("127.0.0.1", 5432, "db", "u", Secret.of("pw"),
                SslMode.DISABLE, slot, "pub"), new PipelineConfig.BronzeConfig(schema), List.of(TableId.of("payment")),
                Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofSeconds(1));
    }
}
