package io.bronzecdc.cli.database;

import io.bronzecdc.cli.CommandException;
import io.bronzecdc.cli.ConfigOption;
import io.bronzecdc.model.ExitCode;
import io.bronzecdc.model.bronze.BronzeMigrator;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.bronze.TargetPreflight;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.Secret;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.SourceFix;
import io.bronzecdc.model.source.SourceInspection;
import io.bronzecdc.model.source.SourcePreflight;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bronze-cdc init}: prepares the databases for the pipeline, engine-neutral. Every check runs first (those of
 * {@link SourcePreflight} and {@link TargetPreflight}, a free replication slot, the rights to create the role); any
 * problem it cannot fix stops it before it changes anything. Then, each step in its own transaction and only where
 * something is missing: REPLICA IDENTITY FULL (each root before its partitions), the publication created or
 * completed, the schema-change trigger when the role may install it, the bronze schema and its migrations, and the
 * capture role. A second run finds nothing missing and prints "nothing to change".
 */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = {"Prepares the source and bronze databases for the pipeline: REPLICA IDENTITY FULL, the"
                + " publication (created, or completed with tables added since), the schema-change trigger when"
                + " permitted, the bronze schema and its migrations, and with --create-role a least-privilege capture"
                + " role. Changes only what is missing; a check it cannot fix stops it before any change.",
                "The replication slot is not created here: the first stream or batch run creates it together with"
                        + " its initial snapshot."},
        footer = {"", "Exit codes: 0 done (or nothing to change), 2 a check failed or bad input (nothing changed),"
                + " 1 a statement failed (the message names it; init can be run again)."})
public final class InitCommand implements Callable<Integer> {
    private static final Pattern ROLE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    @Spec
    private CommandSpec spec;

    @Mixin
    private ConfigOption config;

    @Option(names = "--dry-run", description = "Print the SQL init would run, and change nothing.")
    private boolean dryRun;

    @Option(names = "--create-role", paramLabel = "NAME",
            description = "Also create (or complete) the least-privilege role NAME the pipeline captures as: LOGIN"
                    + " REPLICATION, SELECT on the captured tables, USAGE on their schemas, and the bronze privileges"
                    + " when bronze is in the source database. Its password comes from --role-password-env or"
                    + " --role-password-file.")
    private String role;

    @Option(names = "--role-password-env", paramLabel = "VAR",
            description = "The environment variable holding the new role's password (its name, not the password).")
    private String rolePasswordEnv;

    @Option(names = "--role-password-file", paramLabel = "FILE",
            description = "A file holding the new role's password (trailing line breaks removed).")
    private Path rolePasswordFile;

    @Override
    public Integer call() throws SQLException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Secret password = role == null ? null : rolePassword();
        if (role == null && (rolePasswordEnv != null || rolePasswordFile != null)) {
            throw new CommandException(ExitCode.NOT_READY, "--role-password-env and --role-password-file go with"
                    + " --create-role NAME: add it, or leave them out");
        }
        try (PipelineDatabases db = PipelineDatabases.open(config, err, "init")) {
            PipelineConfig pipeline = db.config();
            BronzeSchema schema = db.schema();
            List<TableId> tables = db.resolveTables();
            SourceInspection inspection = new SourcePreflight(pipeline, tables).inspect(db.source());
            List<String> sourceProblems = new ArrayList<>(inspection.problemsBeforeFixing());
            sourceProblems.addAll(slotProblems(db.source(), pipeline));
            List<String> bronzePlan = BronzeMigrator.plan(db.bronze(), schema, tables);
            CaptureRole captureRole = role == null ? null : CaptureRole.plan(db.source(), role,
                    pipeline.source().database(), tables, pipeline.hasSeparateTarget() ? null : schema.name(),
                    !bronzePlan.isEmpty());
            if (captureRole != null) {
                sourceProblems.addAll(captureRole.problems());
            }
            List<String> problems = TargetPreflight.bySide(pipeline, sourceProblems,
                    TargetPreflight.problems(db.bronze(), pipeline));
            if (!problems.isEmpty()) {
                throw new CommandException(ExitCode.NOT_READY, "init refused, nothing was changed: "
                        + TargetPreflight.databases(pipeline) + " has " + problems.size()
                        + (problems.size() == 1 ? " problem" : " problems") + " init cannot fix:\n  - "
                        + String.join("\n  - ", problems));
            }
            for (String warning : inspection.warnings(true, "")) {
                out.println("warning: " + warning);
            }
            if (captureRole != null) {
                captureRole.notes().forEach(note -> out.println("note: " + note));
            }
            List<Step> steps = new ArrayList<>();
            for (SourceFix fix : inspection.fixes()) {
                steps.add(new Step(sourceSide(pipeline) + fix.problem(), fix.statements()));
            }
            for (SourceFix fix : inspection.optionalFixes()) {
                if (fix.permitted()) {
                    steps.add(new Step(sourceSide(pipeline) + fix.problem(), fix.statements()));
                }
            }
            if (!bronzePlan.isEmpty()) {
                steps.add(new Step((pipeline.hasSeparateTarget() ? "target database " + db.bronzeDatabase() + ": "
                        : "") + "bronze schema " + schema + " is missing or not up to date", bronzePlan));
            }
            if (captureRole != null && !captureRole.statements().isEmpty()) {
                steps.add(new Step(sourceSide(pipeline) + "capture role " + role + " lacks privileges",
                        captureRole.statements()));
            }
            if (steps.isEmpty()) {
                out.println("init: nothing to change (" + tables.size() + " tables " + tables + ", publication "
                        + pipeline.source().publicationName() + ", bronze schema " + schema + ")");
                out.flush();
                return ExitCode.SUCCESS.code();
            }
            int count = 0;
            for (Step step : steps) {
                out.println("-- " + step.reason());
                for (String statement : step.statements()) {
                    out.println(statement.endsWith(";") || statement.contains(" -- ") ? statement : statement + ";");
                    count++;
                }
            }
            if (dryRun) {
                out.println("init --dry-run: " + count + " statements not run; nothing was changed");
                out.flush();
                return ExitCode.SUCCESS.code();
            }
            inspection.applyFixes(db.source());
            BronzeMigrator.migrate(db.bronze(), schema, tables);
            if (captureRole != null) {
                captureRole.apply(db.source(), password);
                out.println("role " + role + " is ready: set source.user: " + role + " and its password"
                        + " (source.password.env or source.password.file) in " + db.configName());
            }
            out.println("init: done, " + count + " statements run for " + tables.size() + " tables " + tables);
            out.flush();
            return ExitCode.SUCCESS.code();
        }
    }

    /** Problems with the replication slots: none free for the pipeline's slot when it does not exist yet. */
    private static List<String> slotProblems(Connection c, PipelineConfig pipeline) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT current_setting('max_replication_slots')::int"
                + " - (SELECT count(*) FROM pg_replication_slots),"
                + " EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = ?)")) {
            ps.setString(1, pipeline.source().slotName());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(2) && rs.getInt(1) < 1) {
                    return List.of("no replication slot is free for the pipeline's slot "
                            + pipeline.source().slotName() + " (max_replication_slots is reached): raise"
                            + " max_replication_slots and restart the server, or drop an unused slot"
                            + " (bronze-cdc drop, or SELECT pg_drop_replication_slot('<name>'))");
                }
            }
        }
        return List.of();
    }

    private static String sourceSide(PipelineConfig pipeline) {
        return pipeline.hasSeparateTarget() ? "source database " + pipeline.source().database() + ": " : "";
    }

    /** The new role's password, from the one source given; never from a process argument. */
    private Secret rolePassword() {
        if (!ROLE_NAME.matcher(role).matches()) {
            throw new CommandException(ExitCode.NOT_READY, "--create-role: '" + role + "' is not a role name init"
                    + " creates; use a lower-case identifier ([a-z_][a-z0-9_]*, at most 63 characters)");
        }
        if ((rolePasswordEnv == null) == (rolePasswordFile == null)) {
            throw new CommandException(ExitCode.NOT_READY, "--create-role " + role + " needs the role's password from"
                    + " exactly one of --role-password-env VAR and --role-password-file FILE (never on the command"
                    + " line)");
        }
        if (rolePasswordEnv != null) {
            String value = System.getenv(rolePasswordEnv);
            if (value == null || value.isEmpty()) {
                throw new CommandException(ExitCode.NOT_READY, "--role-password-env: environment variable "
                        + rolePasswordEnv + (value == null ? " is not set" : " is empty") + ": export it with the"
                        + " new role's password, or use --role-password-file");
            }
            return Secret.of(value);
        }
        String content;
        try {
            content = Files.readString(rolePasswordFile, StandardCharsets.UTF_8).replaceFirst("[\\r\\n]+\\z", "");
        } catch (IOException e) {
            Path file = rolePasswordFile.toAbsolutePath();
            String what = e instanceof java.nio.file.NoSuchFileException ? "there is no file " + file
                    : Files.isDirectory(file) ? file + " is a directory"
                    : e instanceof java.nio.file.AccessDeniedException ? "no permission to read " + file
                    : "cannot read " + file + " as UTF-8 text";
            throw new CommandException(ExitCode.NOT_READY, "--role-password-file: " + what + ": name a readable file"
                    + " holding the new role's password");
        }
        if (content.isEmpty()) {
            throw new CommandException(ExitCode.NOT_READY, "--role-password-file: " + rolePasswordFile.toAbsolutePath()
                    + " is empty: write the new role's password into it");
        }
        return Secret.of(content);
    }

    /** Statements fixing one thing, printed under the reason. */
    private record Step(String reason, List<String> statements) {
    }
}
