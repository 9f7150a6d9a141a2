package io.bronzecdc.cli.database;

import io.bronzecdc.cli.CommandException;
import io.bronzecdc.cli.ConfigOption;
import io.bronzecdc.cli.engine.ProjectLayout;
import io.bronzecdc.model.ExitCode;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.PipelineConfigDescriber;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SourceConnections;
import io.bronzecdc.testkit.pagila.PagilaDatabase;
import io.bronzecdc.testkit.pagila.PagilaGenerator;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.PagilaTable;
import io.bronzecdc.testkit.pagila.SourceSchema;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bronze-cdc sample-data}: the Pagila tables (customer, rental, payment partitioned by month) created in the
 * configured source database and loaded, from the Pagila COPY files ({@code ../shared/pagila} beside the checkout, or
 * {@code --pagila-dir}) or generated with Pagila's counts, so a new user can try a real server in minutes.
 */
@Command(name = "sample-data", mixinStandardHelpOptions = true,
        description = "Creates the Pagila tables customer, rental and payment (partitioned by month) in the source"
                + " database of the config and loads their rows: from the Pagila COPY files (--pagila-dir, or"
                + " ../shared/pagila beside the checkout when present) or generated (--generate). Refuses tables that"
                + " already hold rows unless --replace.",
        footer = {"", "Exit codes: 0 loaded, 2 bad input or the tables already hold rows (nothing changed), 1 the load"
                + " failed (rolled back)."})
public final class SampleDataCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private ConfigOption config;

    @ArgGroup(exclusive = true)
    private Rows rows;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "The seed of generated rows (default ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--replace", description = "Empty tables that already hold rows (TRUNCATE) before loading.")
    private boolean replace;

    /** Where the rows come from. */
    static final class Rows {
        @Option(names = "--pagila-dir", paramLabel = "DIR",
                description = "The directory of the Pagila COPY files customer.copy, payment.copy, rental.copy.")
        Path pagilaDir;

        @Option(names = "--generate", description = "Generate Pagila-shaped rows (Pagila's counts) from --seed.")
        boolean generate;
    }

    @Override
    public Integer call() throws SQLException {
        PrintWriter out = spec.commandLine().getOut();
        Optional<Path> files = files();
        PipelineConfig pipeline = config.load();
        spec.commandLine().getErr().println("bronze-cdc sample-data: pipeline " + PipelineConfigDescriber.describe(
                pipeline));
        spec.commandLine().getErr().flush();
        try (Connection c = SourceConnections.of(pipeline.source(), "cli").open("sample-data")) {
            List<String> holding = new ArrayList<>();
            try (Statement s = c.createStatement()) {
                for (PagilaTable table : PagilaTable.values()) {
                    try (ResultSet rs = s.executeQuery("SELECT to_regclass('" + table.id().qualifiedName() + "')")) {
                        rs.next();
                        if (rs.getString(1) == null) {
                            continue;
                        }
                    }
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table.id().quoted())) {
                        rs.next();
                        if (rs.getLong(1) > 0) {
                            holding.add(table.id() + " (" + rs.getLong(1) + " rows)");
                        }
                    }
                }
            }
            if (!holding.isEmpty() && !replace) {
                throw new CommandException(ExitCode.NOT_READY, "source database " + pipeline.source().database()
                        + " already holds Pagila rows in " + String.join(", ", holding) + ": nothing was changed."
                        + " Add --replace to empty these tables first (TRUNCATE, captured as such if the pipeline"
                        + " runs), or point the config at another database");
            }
            SourceSchema.create(c);
            if (!holding.isEmpty()) {
                try (Statement s = c.createStatement()) {
                    s.execute("TRUNCATE " + PagilaDatabase.tables().stream().map(TableId::quoted)
                            .collect(Collectors.joining(", ")));
                }
                out.println("emptied " + String.join(", ", holding));
            }
            Map<PagilaTable, Long> loaded;
            try {
                loaded = files.isPresent() ? PagilaLoader.loadFiles(c, files.get())
                        : PagilaLoader.loadGenerated(c, PagilaGenerator.withPagilaCounts(seed));
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new CommandException(ExitCode.NOT_READY, e.getMessage(), e);
            }
            String from = files.map(f -> "the Pagila files of " + f.toAbsolutePath())
                    .orElse("generated Pagila-shaped rows (seed " + seed + ")");
            loaded.forEach((table, count) -> out.println("loaded " + count + " rows into " + table.id()));
            out.println("sample-data: " + loaded.values().stream().mapToLong(Long::longValue).sum() + " rows from "
                    + from + " in database " + pipeline.source().database() + "; next: bronze-cdc init --config "
                    + config.file());
            out.flush();
            return ExitCode.SUCCESS.code();
        }
    }

    /** The COPY files to load, or empty to generate; checked before anything connects. */
    private Optional<Path> files() {
        if (rows != null && rows.pagilaDir != null) {
            PagilaDatabase.filesProblem("--pagila-dir", rows.pagilaDir).ifPresent(problem -> {
                throw new CommandException(ExitCode.NOT_READY, problem);
            });
            return Optional.of(rows.pagilaDir);
        }
        if (rows != null && rows.generate) {
            return Optional.empty();
        }
        String root = System.getProperty(ProjectLayout.ROOT_PROPERTY);
        return root == null ? Optional.empty() : PagilaDatabase.filesBeside(Path.of(root));
    }
}
