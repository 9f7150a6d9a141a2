package io.bronzecdc.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.bench.report.BenchReport;
import io.bronzecdc.bench.report.BenchReport.Integrity;
import io.bronzecdc.bench.report.BenchReport.Measurement;
import io.bronzecdc.bench.report.BenchReport.Pipeline;
import io.bronzecdc.bench.report.ReportJson;
import io.bronzecdc.cli.BronzeCdc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's smoke mode, as a user runs it: {@code bronze-cdc bench --smoke} hands over to the harness in a JVM
 * of its own, which runs both engines and a peer on one seeded workload. The report files must exist and be
 * well formed, both engines must pass every integrity check, and each peer's integrity must be reported (passed or
 * not). No timing is asserted: figures are the report's business, not the test's.
 */
class BenchSmokeIT {
    /**
     * Both engines and one peer: the harness drives every peer the same way, and the Flink CDC peer has its own test
     * ({@code FlinkCdcPeerIT}), so leaving it out here keeps {@code mvn verify} shorter without losing a path.
     */
    private static final List<String> SMOKE_PIPELINES = List.of(Pipeline.FLINK, Pipeline.SPARK, Pipeline.DEBEZIUM);

    @Test
    void smokeModeWritesTheReportAndBothEnginesPassIntegrity() throws Exception {
        Path out = Path.of(System.getProperty("basedir", ".")).resolve("target/bench-smoke").toAbsolutePath();
        long seed = Long.getLong("bronze.bench.seed", BenchMain.DEFAULT_SEED);
        System.out.println("bench smoke: seed " + seed + " (-Dbronze.bench.seed=N to repeat with another)");

        // Smaller than --smoke's own sizes: the test checks the harness and the report, not the figures.
        int exitCode = BronzeCdc.commandLine().execute("bench", "--smoke", "--seed", Long.toString(seed), "--out",
                out.toString(), "--wide-rows", "5000", "--backlog", "20000", "--duration", "4", "--pipelines",
                String.join(",", SMOKE_PIPELINES));

        assertThat(exitCode).as("exit code of bronze-cdc bench --smoke (0: our engines' integrity passed)").isZero();
        for (String file : List.of("report.json", "report.md", "report.html")) {
            assertThat(out.resolve(file)).as("report file %s", file).isNotEmptyFile();
        }
        BenchReport report = ReportJson.read(out.resolve("report.json"));
        assertThat(report.mode()).isEqualTo("smoke");
        assertThat(report.workload().seed()).isEqualTo(seed);
        assertThat(report.ceilings()).as("the ceiling measured in the same run").isNotEmpty()
                .allSatisfy(c -> {
                    assertThat(c.drainChanges()).isPositive();
                    assertThat(c.drainChangesPerSecond()).isPositive();
                    assertThat(c.copyRowsPerSecond()).isPositive();
                });
        assertThat(report.integrity()).extracting(Integrity::pipeline)
                .containsExactlyInAnyOrderElementsOf(SMOKE_PIPELINES);
        for (Integrity integrity : report.integrity()) {
            if (Pipeline.isOurs(integrity.pipeline())) {
                assertThat(integrity.passed()).as("integrity of %s:%n%s", integrity.pipeline(), integrity.text())
                        .isTrue();
                assertThat(integrity.violations()).isEmpty();
            }
            assertThat(integrity.text()).as("the validation report of %s", integrity.pipeline()).isNotBlank();
        }
        for (String pipeline : SMOKE_PIPELINES) {
            List<Measurement> ofPipeline = report.measurements().stream()
                    .filter(m -> m.pipeline().equals(pipeline)).toList();
            assertThat(ofPipeline).extracting(Measurement::scenario).as("scenarios of %s", pipeline)
                    .contains("snapshot", "backlog", "live");
            if (Pipeline.isOurs(pipeline)) {
                assertThat(ofPipeline).allSatisfy(m -> {
                    assertThat(m.outcome()).as("%s %s", pipeline, m.scenario()).isEqualTo("ok");
                    assertThat(m.rows()).isPositive();
                });
                assertThat(ofPipeline).filteredOn(m -> m.scenario().equals("live"))
                        .allSatisfy(m -> assertThat(m.latency()).as("latency of %s", pipeline).isNotNull());
            }
        }
        String markdown = Files.readString(out.resolve("report.md"));
        SMOKE_PIPELINES.forEach(p -> assertThat(markdown).contains(p));
        assertThat(Files.readString(out.resolve("report.html"))).contains("<html").contains("</html>");
    }
}
