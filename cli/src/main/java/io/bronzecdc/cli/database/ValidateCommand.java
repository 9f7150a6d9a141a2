package io.bronzecdc.cli.database;

import io.bronzecdc.cli.CommandException;
import io.bronzecdc.cli.ConfigOption;
import io.bronzecdc.model.ExitCode;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.validate.BronzeValidator;
import io.bronzecdc.model.validate.ValidationOptions;
import io.bronzecdc.model.validate.ValidationReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bronze-cdc validate}: the shared validators ({@link BronzeValidator}, every check of DESIGN.md section 2 in
 * one consistent snapshot) on the pipeline's bronze schema, whichever engine wrote it; no Spark. The report as text,
 * and as JSON into a file ({@code --json -} prints the JSON instead of the text).
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Validates the pipeline's bronze change logs: lsn unique, dense from 1 and in commit order,"
                + " payloads objects, replay equal to the source, lag under lag.threshold, the slot present.",
        footer = {"", "Exit codes: 0 every check passed, 4 a check failed (the report names table and check), 2 the"
                + " bronze schema or a database is missing or the input is bad, 1 the validation could not run."})
public final class ValidateCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private ConfigOption config;

    @Option(names = "--schema", paramLabel = "S",
            description = "The bronze schema to validate (default: bronze.schema of the config).")
    private String schema;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Also write the report as JSON to FILE; '-' prints the JSON instead of the text.")
    private Path json;

    @Override
    public Integer call() throws SQLException {
        PrintWriter out = spec.commandLine().getOut();
        if (schema != null && !schema.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new CommandException(ExitCode.NOT_READY, "--schema: '" + schema + "' is not a bronze schema name;"
                    + " bronze schemas are lower-case identifiers ([a-z_][a-z0-9_]*, at most 63 characters)");
        }
        if (json != null && !"-".equals(json.toString())) {
            Path parent = json.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent) || Files.isDirectory(json)) {
                throw new CommandException(ExitCode.NOT_READY, "--json: cannot write " + json.toAbsolutePath()
                        + (Files.isDirectory(json) ? ", a directory" : ": its directory does not exist")
                        + "; name a file in an existing directory");
            }
        }
        ValidationReport report;
        try (PipelineDatabases db = PipelineDatabases.open(config, spec.commandLine().getErr(), "validate")) {
            BronzeSchema bronze = schema == null ? db.schema() : new BronzeSchema(schema);
            List<TableId> tables = db.capturedTables(bronze, "validate");
            ValidationOptions options = ValidationOptions.defaults().withLagThreshold(db.config().lagThreshold())
                    .withSlot(db.config().source().slotName());
            try {
                report = BronzeValidator.validate(db.bronze(), db.source(), bronze, tables, options);
            } catch (IllegalStateException e) {
                throw new CommandException(ExitCode.NOT_READY, e.getMessage(), e);
            }
        }
        if (json != null && "-".equals(json.toString())) {
            out.println(report.toJson());
        } else {
            out.print(report.toText());
            if (json != null) {
                try {
                    Files.writeString(json, report.toJson() + "\n", StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new CommandException(ExitCode.FAILED, "cannot write the JSON report to "
                            + json.toAbsolutePath() + " (" + e + "); the checks " + (report.passed() ? "passed"
                            : "failed") + " as printed above", e);
                }
                out.println("JSON report: " + json.toAbsolutePath());
            }
        }
        out.flush();
        return (report.passed() ? ExitCode.SUCCESS : ExitCode.CHECK_FAILED).code();
    }
}
