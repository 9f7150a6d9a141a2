package io.bronzecdc.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.flink.testing.PipelineUnderTest;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.Op;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.KeylessWorkload;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.model.testing.TestPipelineYaml;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Updates that change a primary key, through the Flink job: each is a D of the old row immediately followed by an I
 * of the new one in bronze (two rows swapping keys in one transaction included), and bronze replays to the source.
 * A table without a primary key is refused at preflight (exit 2, naming the table and the fix, nothing written):
 * the Flink CDC source has no exact snapshot handover for it. Seed: {@code -Dbronze.keyless.seed=N}; printed.
 */
class KeyChangeIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final long SEED = Long.getLong("bronze.keyless.seed", 20_261_201L);

    @TempDir
    Path dir;

    @Test
    void shouldLogEveryKeyChangeAsAdjacentDeleteAndInsert() throws Exception {
        System.out.println("KeyChangeIT seed " + SEED + " (replay with -Dbronze.keyless.seed=" + SEED + ")");
        String database = POSTGRES.newDatabase("keys");
        TableId keyed = KeylessWorkload.KEYED;
        try (Connection work = POSTGRES.connect(database)) {
            KeylessWorkload workload = KeylessWorkload.create(work, SEED, 8);
            try (PipelineUnderTest pipeline = PipelineUnderTest.start(POSTGRES.server(), PipelineUnderTest.config(
                    POSTGRES.server(), database, "it_keys", BronzeSchema.DEFAULT_NAME, Duration.ofMillis(200),
                    List.of(keyed)))) {
                pipeline.awaitBronzeCounts(Map.of(keyed, 8L));
                workload.run(40);
                List<String> history = workload.history(keyed);
                assertThat(history).as("the workload changed keys").anyMatch(line -> line.startsWith("D"))
                        .anyMatch(line -> line.startsWith("U"));
                pipeline.awaitBronzeCounts(Map.of(keyed, 8L + history.size()));
                try (Connection c = pipeline.connect()) {
                    assertThat(KeylessWorkload.bronzeHistory(c, BronzeSchema.defaultSchema(), keyed))
                            .as("streamed op, tx and full_row against the workload, in order (seed %d)", SEED)
                            .containsExactlyElementsOf(history);
                    assertThat(KeylessWorkload.adjacentDeleteInsertPairs(c, BronzeSchema.defaultSchema(), keyed))
                            .isEqualTo(workload.changes().stream()
                                    .filter(ch -> ch.table().equals(keyed) && ch.op() == Op.DELETE).count());
                    ValidationReport report = BronzeValidator.validate(c, BronzeSchema.defaultSchema(),
                            List.of(keyed), ValidationOptions.defaults());
                    assertThat(report.violations()).as("%s (seed %d)", report.toText(), SEED).isEmpty();
                }
            }
        }
    }

    @Test
    void shouldRefuseATableWithoutPrimaryKeyAtPreflight() throws Exception {
        String database = POSTGRES.newDatabase("keyless");
        try (Connection work = POSTGRES.connect(database)) {
            KeylessWorkload.create(work, SEED, 3);
        }
        Path password = dir.resolve("password");
        Files.writeString(password, "trust\n");
        Path config = dir.resolve("pipeline.yaml");
        Files.writeString(config, TestPipelineYaml.of(POSTGRES.server().port(), database, "it_keyless", "cdc_keyless",
                "file: " + password).replace("tables: [customer, payment, rental]", "tables: [kl_events, kl_accounts]")
                + "source.connector: flink-cdc\n");
        StringWriter err = new StringWriter();

        int exit = BronzeCdcJob.commandLine().setErr(new PrintWriter(err)).execute("--config", config.toString(),
                "--init");

        assertThat(exit).isEqualTo(BronzeCdcJob.EXIT_NOT_READY);
        assertThat(err.toString()).contains("table public.kl_events has no primary key, and the Flink engine cannot"
                        + " capture such a table exactly", "ALTER TABLE \"public\".\"kl_events\" ADD PRIMARY KEY",
                "capture it with the Spark engine").doesNotContain("public.kl_accounts has no primary key")
                .doesNotContain("\tat ");
        try (Connection c = POSTGRES.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = 'cdc_keyless')"
                        + " + (SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'it_keyless')"
                        + " + (SELECT count(*) FROM pg_publication WHERE pubname = 'it_keyless_pub')")) {
            rs.next();
            assertThat(rs.getLong(1)).as("bronze schema, slot, publication after the refusal").isZero();
        }
    }
}
