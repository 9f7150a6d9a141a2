package io.bronzecdc.cli.database;

import io.bronzecdc.cli.CommandException;
import io.bronzecdc.cli.ConfigOption;
import io.bronzecdc.model.ExitCode;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.compact.Compaction;
import io.bronzecdc.model.compact.CompactionRefusedException;
import io.bronzecdc.model.event.TableId;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bronze-cdc compact}: the current state of each captured table from its bronze log ({@link Compaction}: the
 * latest row per key, deletes removed, recorded schema changes and TRUNCATEs applied), as tables or views in a
 * schema of the bronze database; equal to the source as of the log's last change.
 */
@Command(name = "compact", mixinStandardHelpOptions = true,
        description = "Writes the current state of each captured table, folded from its bronze log, into a schema of"
                + " the bronze database: as tables (a copy, replaced in one transaction) or, with --views, as views"
                + " (always current).",
        footer = {"", "Exit codes: 0 done, 2 bad input or refused (a source or the bronze schema as target, an object"
                + " compact did not make; nothing changed), 1 the compaction failed (nothing changed)."})
public final class CompactCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private ConfigOption config;

    @Option(names = "--into", paramLabel = "SCHEMA",
            description = "The schema the compacted tables or views go to (default: <bronze.schema>_current); never a"
                    + " source schema or the bronze schema.")
    private String into;

    @Option(names = "--views", description = "Create views (folded on every read) instead of tables.")
    private boolean views;

    @Override
    public Integer call() throws SQLException {
        PrintWriter out = spec.commandLine().getOut();
        if (into != null && !into.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new CommandException(ExitCode.NOT_READY, "--into: '" + into + "' is not a schema name compact"
                    + " writes to; use a lower-case identifier ([a-z_][a-z0-9_]*, at most 63 characters)");
        }
        try (PipelineDatabases db = PipelineDatabases.open(config, spec.commandLine().getErr(), "compact")) {
            BronzeSchema schema = db.schema();
            String target = into == null ? schema.name() + "_current" : into;
            List<TableId> tables = db.capturedTables(schema, "compact");
            Compaction.Form form = views ? Compaction.Form.VIEWS : Compaction.Form.TABLES;
            List<Compaction.Result> results;
            try {
                results = new Compaction(db.bronze(), db.source(), schema).compact(tables, target, form);
            } catch (CompactionRefusedException e) {
                throw new CommandException(ExitCode.NOT_READY, e.getMessage(), e);
            }
            for (Compaction.Result result : results) {
                out.println(result.source() + " -> " + result.relation()
                        + (result.rows() < 0 ? " (view)" : ": " + result.rows() + " rows"));
            }
            out.println("compact: " + results.size() + (views ? " views" : " tables") + " in schema " + target
                    + " of database " + db.bronzeDatabase());
            out.flush();
            return ExitCode.SUCCESS.code();
        }
    }
}
