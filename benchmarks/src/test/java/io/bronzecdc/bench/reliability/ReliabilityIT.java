package io.bronzecdc.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.cli.engine.ProjectLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The short reliability suite, as {@code bronze-cdc bench --reliability} runs it: the Flink JVM killed with SIGKILL,
 * PostgreSQL crashed (immediate shutdown) under the Flink job, a Spark run killed, PostgreSQL restarted (fast) under
 * a Spark run; each run's bronze checked change by change against the committed workload, and by the validators. And
 * the Flink job's slot invalidated while the job was down: the next start refuses (exit 2, the way out in its
 * message) and changes nothing.
 * {@code -Dbronze.reliability.seed=N} replays a seed. Output in {@code target/reliability-it/}.
 */
class ReliabilityIT {
    private static final long SEED = Long.getLong("bronze.reliability.seed", 20_261_202L);

    @Test
    void shouldLoseDoubleAndReorderNothingThroughKillsAndDatabaseRestarts() throws Exception {
        System.out.println("ReliabilityIT seed " + SEED + " (replay with -Dbronze.reliability.seed=" + SEED + ")");
        Path out = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).resolve(
                "target/reliability-it");
        ReliabilitySummary summary = new ReliabilitySuite(ReliabilitySuite.Plan.shortPlan(SEED),
                ProjectLayout.fromSystemProperties(), out, System.out).run();

        assertThat(summary.runRows()).as(summary.text()).allSatisfy(row -> assertThat(row.get("passed"))
                .as("run %s: %s", row.get("run"), row.get("found")).isEqualTo(true));
        assertThat(summary.faults()).as("one run of each kind").containsOnlyKeys("flink-kill",
                "flink-postgres-immediate", "flink-slot-lost", "spark-kill", "spark-postgres-fast");
        assertThat(summary.changesChecked()).as("changes the workload committed and the runs checked")
                .isGreaterThan(100);
        assertThat(summary.lost() + summary.duplicated() + summary.unexpected() + summary.outOfOrder()).isZero();
    }
}
