package io.bronzecdc.flink.preflight;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.Secret;
import io.bronzecdc.model.config.SourceConnector;
import io.bronzecdc.model.config.SslMode;
import io.bronzecdc.model.event.TableId;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When the recorded source refuses a start, and what the refusal says. */
class RecordedSourceTest {
    private static final PipelineConfig PGOUTPUT = new PipelineConfig(new PipelineConfig.SourceConfig("db.example", 5432,
            "shop", "cdc", Secret.of("not-used"), SslMode.DISABLE, "p_orders", "p_orders_pub"),
            new PipelineConfig.BronzeConfig("cdc_bronze"), List.of(TableId.of("orders")), Duration.ofMinutes(5),
            Duration.ofMinutes(10), Duration.ofSeconds(1)).withConnector(SourceConnector.PGOUTPUT);
    private static final PipelineConfig FLINK_CDC = PGOUTPUT.withConnector(SourceConnector.FLINK_CDC);
    private static final Optional<RecordedSource> RECORDED_FLINK_CDC = Optional.of(
            new RecordedSource(SourceConnector.FLINK_CDC, "2026-12-01 10:00:00+00", null));

    @Test
    void shouldAcceptAStartWithTheRecordedSourceOrWithoutARecord() {
        assertThat(RecordedSource.problems(FLINK_CDC, RECORDED_FLINK_CDC, null, true)).isEmpty();
        assertThat(RecordedSource.problems(PGOUTPUT, Optional.empty(), null, false)).isEmpty();
        assertThat(RecordedSource.problems(PGOUTPUT, Optional.empty(), null, true)).isEmpty();
    }

    @Test
    void shouldRefuseAnotherSourceNamingTheRecordedOneAndTheSwitch() {
        assertThat(RecordedSource.problems(PGOUTPUT, RECORDED_FLINK_CDC, null, true)).singleElement().asString()
                .contains("bronze schema cdc_bronze records that pipeline p_orders reads its slot with"
                        + " source.connector: flink-cdc (since 2026-12-01 10:00:00+00), but the config says pgoutput")
                .contains("Set source.connector: flink-cdc again, or switch: stop the job with a savepoint")
                .contains("start the job from that savepoint with --switch-source");
    }

    @Test
    void shouldAcceptASwitchFromASavepoint() {
        assertThat(RecordedSource.problems(PGOUTPUT, RECORDED_FLINK_CDC, "file:/sp/savepoint-1", true)).isEmpty();
        assertThat(RecordedSource.problems(PGOUTPUT, Optional.empty(), "file:/sp/savepoint-1", true))
                .as("a pipeline from before the record").isEmpty();
    }

    @Test
    void shouldAcceptTheSameSwitchAgainButNoSwitchToTheRecordedSource() {
        Optional<RecordedSource> switched = Optional.of(new RecordedSource(SourceConnector.PGOUTPUT,
                "2026-12-01 11:00:00+00", "file:/sp/savepoint-1"));
        assertThat(RecordedSource.problems(PGOUTPUT, switched, "file:/sp/savepoint-1", true))
                .as("the switch retried from its savepoint").isEmpty();
        assertThat(RecordedSource.problems(PGOUTPUT, switched, "file:/chk/chk-9", true)).singleElement().asString()
                .contains("already reads with source.connector: pgoutput")
                .contains("Start it again without --switch-source");
    }

    @Test
    void shouldRefuseASwitchWithoutState() {
        assertThat(RecordedSource.problems(PGOUTPUT, RECORDED_FLINK_CDC, "", false)).singleElement().asString()
                .contains("--switch-source resumes pipeline p_orders from the savepoint")
                .contains("but the job starts without state");
    }
}
