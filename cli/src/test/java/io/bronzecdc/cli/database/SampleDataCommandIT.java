package io.bronzecdc.cli.database;

import static io.bronzecdc.cli.database.InitCommandIT.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.testing.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sample-data}: generated rows with Pagila's counts, the refusal of tables that hold rows (nothing changed),
 * {@code --replace}, and the Pagila files beside the checkout when present.
 */
class SampleDataCommandIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    @TempDir
    Path dir;

    @Test
    void generatesRefusesTablesWithRowsAndReplacesOnRequest() throws Exception {
        Path config = new PipelineYaml(POSTGRES.server().port(), POSTGRES.database(), "cli_sample").write(dir, "p.yaml");

        CliRun run = CliRun.of("sample-data", "--config", config.toString(), "--generate", "--seed", "3");

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).contains("loaded 599 rows into public.customer", "loaded 16049 rows into public.payment",
                "loaded 16044 rows into public.rental", "sample-data: 32692 rows from generated Pagila-shaped rows"
                        + " (seed 3) in database " + POSTGRES.database(), "next: bronze-cdc init --config " + config);
        assertThat(counts(POSTGRES.database())).containsExactly("599", "16049", "16044");
        List<String> before = snapshot(POSTGRES.database());

        CliRun again = CliRun.of("sample-data", "--config", config.toString(), "--generate");

        assertThat(again.exitCode()).as(again.all()).isEqualTo(2);
        assertThat(again.err()).contains("already holds Pagila rows in public.customer (599 rows), public.payment"
                + " (16049 rows), public.rental (16044 rows): nothing was changed. Add --replace");
        assertThat(snapshot(POSTGRES.database())).isEqualTo(before);

        CliRun replaced = CliRun.of("sample-data", "--config", config.toString(), "--generate", "--seed", "4",
                "--replace");

        assertThat(replaced.exitCode()).as(replaced.all()).isZero();
        assertThat(replaced.out()).contains("emptied public.customer (599 rows)", "loaded 599 rows into public.customer");
        assertThat(counts(POSTGRES.database())).containsExactly("599", "16049", "16044");
    }

    @Test
    void loadsThePagilaFilesBesideTheCheckout() throws Exception {
        Path root = Path.of(System.getProperty("bronze.project.dir", "."));
        Assumptions.assumeTrue(Files.isReadable(root.resolve("../shared/pagila/payment.copy")),
                "the Pagila files are not beside the checkout");
        String database = POSTGRES.newDatabase("files");
        Path config = new PipelineYaml(POSTGRES.server().port(), database, "cli_sample_files").write(dir, "f.yaml");

        CliRun run = CliRun.of("sample-data", "--config", config.toString());

        assertThat(run.exitCode()).as(run.all()).isZero();
        assertThat(run.out()).contains("rows from the Pagila files of " + root.resolve("../shared/pagila")
                .toAbsolutePath().normalize());
        try (Connection c = POSTGRES.connect(database)) {
            assertThat(rows(c, "SELECT first_name || ' ' || last_name FROM customer WHERE customer_id = 1"))
                    .containsExactly("MARY SMITH");
        }
    }

    private static List<String> counts(String database) throws SQLException {
        try (Connection c = POSTGRES.connect(database)) {
            return rows(c, "SELECT count(*)::text FROM customer UNION ALL SELECT count(*)::text FROM payment"
                    + " UNION ALL SELECT count(*)::text FROM rental");
        }
    }

    private static List<String> snapshot(String database) throws SQLException {
        try (Connection c = POSTGRES.connect(database)) {
            return CatalogSnapshot.of(c);
        }
    }
}
