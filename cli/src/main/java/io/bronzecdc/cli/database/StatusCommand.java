package io.bronzecdc.cli.database;

import io.bronzecdc.cli.CommandException;
import io.bronzecdc.cli.ConfigOption;
import io.bronzecdc.model.ExitCode;
import io.bronzecdc.model.config.DurationSyntax;
import io.bronzecdc.model.event.TableId;
import java.io.PrintWriter;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bronze-cdc status}: the pipeline's figures from the database side, for people and for cron: per table its
 * rows, last lsn, last commit time, lag and LSN rate; the slot's retained WAL and who reads it; the engine's last run
 * or commit as bronze records them. An {@code ALERT} line and exit code 5 when a table's lag is above
 * {@code lag.threshold}.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Prints the pipeline's state: per captured table rows, last lsn, last commit time, lag (now -"
                + " the last commit_ts, or the last load for a log of snapshot rows only) and lsn/s; the slot's"
                + " retained WAL and whether a process reads it; the engine's last run or commit.",
                "Lag measures freshness: a source idle for longer than lag.threshold raises the alert too."},
        footer = {"", "Exit codes: 0 every lag under lag.threshold, 5 a lag above it (an ALERT line names it; for"
                + " cron), 2 the bronze schema or a database is missing or the input is bad."})
public final class StatusCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private ConfigOption config;

    @Option(names = "--watch", arity = "0..1", fallbackValue = "5s", paramLabel = "INTERVAL",
            description = "Print again every INTERVAL (default 5s) until Ctrl-C; the lsn/s then covers the interval.")
    private String watch;

    /** For tests: stop watching after this many reports. */
    @Option(names = "--reports", hidden = true, defaultValue = "0")
    private int reports;

    @Override
    public Integer call() throws SQLException, InterruptedException {
        Duration interval = null;
        if (watch != null) {
            try {
                interval = DurationSyntax.parse(watch);
            } catch (IllegalArgumentException e) {
                throw new CommandException(ExitCode.NOT_READY, "--watch: '" + watch + "' is not an interval: "
                        + e.getMessage() + "; for example --watch 10s");
            }
            if (interval.isZero() || interval.isNegative()) {
                throw new CommandException(ExitCode.NOT_READY, "--watch: the interval must be positive, for example"
                        + " --watch 10s");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        try (PipelineDatabases db = PipelineDatabases.open(config, spec.commandLine().getErr(), "status")) {
            List<TableId> tables = db.capturedTables(db.schema(), "status");
            Map<TableId, Long> previousLsn = new HashMap<>();
            Instant previousAt = null;
            int printed = 0;
            while (true) {
                PipelineStatus status = PipelineStatus.read(db.bronze(), db.source(), db.schema(), tables,
                        db.config().source().slotName());
                List<String> alerts = print(out, db, status, previousLsn, previousAt);
                printed++;
                if (interval == null || (reports > 0 && printed >= reports)) {
                    return (alerts.isEmpty() ? ExitCode.SUCCESS : ExitCode.LAG_ALERT).code();
                }
                previousAt = status.readAt();
                status.tables().forEach(t -> previousLsn.put(t.table(), t.lastLsn()));
                Thread.sleep(interval.toMillis());
            }
        }
    }

    private static List<String> print(PrintWriter out, PipelineDatabases db, PipelineStatus status,
            Map<TableId, Long> previousLsn, Instant previousAt) {
        Duration threshold = db.config().lagThreshold();
        out.println("pipeline slot " + db.config().source().slotName() + " -> bronze schema " + db.schema()
                + " (database " + db.bronzeDatabase() + ") at " + status.readAt() + ", lag threshold "
                + DurationSyntax.format(threshold));
        String format = "%-28s %10s %10s %-27s %10s %9s%n";
        out.printf(Locale.ROOT, format, "table", "rows", "last_lsn", "last_commit", "lag_s", "lsn/s");
        List<String> alerts = new ArrayList<>();
        for (PipelineStatus.TableFigures t : status.tables()) {
            Duration lag = t.lag(status.readAt());
            double rate = previousAt == null ? t.loadedLastMinute() / 60.0
                    : (t.lastLsn() - previousLsn.getOrDefault(t.table(), t.lastLsn()))
                            / Math.max(0.001, Duration.between(previousAt, status.readAt()).toMillis() / 1000.0);
            out.printf(Locale.ROOT, format, t.table(), t.rows(), t.lastLsn(),
                    t.lastCommit() == null ? "-" : t.lastCommit().toString(),
                    lag == null ? "-" : String.format(Locale.ROOT, "%.1f", lag.toMillis() / 1000.0),
                    String.format(Locale.ROOT, "%.1f", rate));
            if (lag != null && lag.compareTo(threshold) > 0) {
                alerts.add("ALERT: lag of " + t.table() + " is " + String.format(Locale.ROOT, "%.1fs", lag.toMillis() / 1000.0)
                        + ", above lag.threshold " + DurationSyntax.format(threshold) + " (last change in " + t.log()
                        + " at " + (t.lastCommit() != null ? t.lastCommit() : t.lastLoad()) + ")");
            }
        }
        status.slot().ifPresentOrElse(slot -> out.println("slot " + slot.name() + ": "
                + (slot.active() ? "active, read by process " + slot.pid() + " (" + slot.application() + ")"
                : "inactive (no process reads it)") + ", retains " + slot.retainedBytes() + " bytes of WAL, "
                + slot.unconfirmedBytes() + " bytes not confirmed yet (confirmed up to " + slot.confirmedFlushLsn()
                + ", wal_status " + slot.walStatus() + ")"),
                () -> out.println("slot " + db.config().source().slotName() + ": does not exist (the first stream or"
                        + " batch run creates it)"));
        out.println("engine: " + status.engine().orElse("nothing recorded in bronze yet (no Spark run, no Flink"
                + " checkpoint commit)"));
        alerts.forEach(out::println);
        out.flush();
        return alerts;
    }
}
