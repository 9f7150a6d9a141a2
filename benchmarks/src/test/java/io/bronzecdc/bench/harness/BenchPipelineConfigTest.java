package io.bronzecdc.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.bench.harness.BenchPipelineConfig.Target;
import io.bronzecdc.bench.report.BenchReport.Pipeline;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.PipelineConfigLoader;
import io.bronzecdc.model.config.SourceConnector;
import io.bronzecdc.model.source.TableSelection;
import java.time.Duration;
import java.util.List;
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
    void theFlinkCdcSourcePipelineNamesItsConnectorAndTheOthersKeepTheDefault() {
        BenchPipelineConfig cdcSource = SAME_SERVER.withSourceConnector(Optional.of(SourceConnector.FLINK_CDC));

        PipelineConfig config = PipelineConfigLoader.parse(cdcSource.withCheckpoint(Duration.ofSeconds(1)).yaml(),
                "bench.yaml", Map.of("BENCH_PASSWORD", "x")::get);

        assertThat(config.connector()).isEqualTo(SourceConnector.FLINK_CDC);
        assertThat(config.checkpointInterval()).as("the checkpoint varied, the connector kept")
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(PipelineConfigLoader.parse(SAME_SERVER.yaml(), "bench.yaml", Map.of("BENCH_PASSWORD", "x")::get)
                .connector()).isEqualTo(SourceConnector.PGOUTPUT);
        assertThat(SAME_SERVER.yaml()).doesNotContain("connector");
    }

    @Test
    void theLauncherOfEachPipelineChoosesItsSource() {
        assertThat(PipelineLauncher.sourceConnectorOf(Pipeline.FLINK_CDC_SOURCE)).contains(SourceConnector.FLINK_CDC);
        for (String pipeline : List.of(Pipeline.FLINK, Pipeline.SPARK, Pipeline.FLINK_CDC, Pipeline.DEBEZIUM)) {
            assertThat(PipelineLauncher.sourceConnectorOf(pipeline)).as(pipeline).isEmpty();
        }
    }

    @Test
    void theYamlNamesWhereThePasswordIsNeverThePassword() {
        assertThat(SAME_SERVER.yaml()).contains("    env: BENCH_PASSWORD").doesNotContain("password: x");
    }
}
