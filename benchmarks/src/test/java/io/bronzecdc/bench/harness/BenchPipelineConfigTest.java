package io.bronzecdc.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.bench.harness.BenchPipelineConfig.Target;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.PipelineConfigLoader;
import io.bronzecdc.model.source.TableSelection;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The harness's pipeline YAML is what the engines' shared loader accepts, with the values the harness meant. */
class BenchPipelineConfigTest {
    private static final BenchPipelineConfig SAME_SERVER = new BenchPipelineConfig("127.0.0.1", 5433, "bench_flink",
            "postgres", "env: BENCH_PASSWORD", "bench_flink_slot", "cdc_bronze", Duration.ofMillis(300),
            Duration.ofSeconds(2), Optional.empty());

    @Test
    void theSharedLoaderReadsTheYamlAsWritten() {
        PipelineConfig config = PipelineConfigLoader.parse(SAME_SERVER.yaml(), "bench.yaml",
                Map.of("BENCH_PASSWORD", "x")::get);

        assertThat(config.source().host()).isEqualTo("127.0.0.1");
        assertThat(config.source().port()).isEqualTo(5433);
        assertThat(config.source().database()).isEqualTo("bench_flink");
        assertThat(config.source().slotName()).isEqualTo("bench_flink_slot");
        assertThat(config.source().publicationName()).isEqualTo("bench_flink_slot_pub");
        assertThat(config.bronze().schema()).isEqualTo("cdc_bronze");
        assertThat(config.hasSeparateTarget()).isFalse();
        assertThat(config.tables()).isEqualTo(TableSelection.exactly(BenchData.TABLES));
        assertThat(config.checkpointInterval()).isEqualTo(Duration.ofMillis(300));
        assertThat(config.batchInterval()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void aSeparateServerBecomesTheTargetBlock() {
        BenchPipelineConfig separate = new BenchPipelineConfig("127.0.0.1", 5433, "bench_spark_separate", "postgres",
                "env: SOURCE_PASSWORD", "bench_spark_separate_slot", "cdc_bronze", Duration.ofSeconds(1),
                Duration.ofSeconds(2), Optional.of(new Target("127.0.0.1", 6544, "bench_spark_separate", "writer",
                        "env: TARGET_PASSWORD")));

        PipelineConfig config = PipelineConfigLoader.parse(separate.yaml(), "bench.yaml",
                Map.of("SOURCE_PASSWORD", "x", "TARGET_PASSWORD", "y")::get);

        assertThat(config.hasSeparateTarget()).isTrue();
        assertThat(config.bronze().target().orElseThrow().port()).isEqualTo(6544);
        assertThat(config.bronze().target().orElseThrow().user()).isEqualTo("writer");
        assertThat(separate.withCheckpoint(Duration.ofSeconds(5)).yaml()).contains("interval: 5000ms");
    }

    @Test
    void theYamlNamesWhereThePasswordIsNeverThePassword() {
        assertThat(SAME_SERVER.yaml()).contains("    env: BENCH_PASSWORD").doesNotContain("password: x");
    }
}
