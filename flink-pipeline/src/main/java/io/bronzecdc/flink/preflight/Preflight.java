package io.bronzecdc.flink.preflight;

import io.bronzecdc.flink.sink.LogProgress;
import io.bronzecdc.model.bronze.BronzeLogs;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.bronze.TargetPreflight;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.SourceConnector;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SqlNames;
import io.bronzecdc.model.source.SourceCatalog;
import io.bronzecdc.model.source.SourceInspection;
import io.bronzecdc.model.source.SourcePreflight;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before the job writes anything, that the source database can feed this pipeline: the checks every
 * engine shares ({@link SourcePreflight}: logical WAL, replication role, tables with REPLICA IDENTITY FULL, the
 * publication, the slot, the bronze schema's privileges) plus what the streaming job needs on top: room for its
 * prepared transactions and for the snapshot readers' temporary slots, column types it carries exactly
 * ({@link FlinkColumnTypes}), when it starts without state to restore, empty bronze change logs (its initial
 * snapshot would write every row again), and the {@code source.connector} the bronze schema records for the pipeline
 * ({@link RecordedSource}; another one only with {@code --switch-source}). Every problem is reported at once, each
 * with its fix.
 *
 * <p>With {@code init}, the fixable ones (REPLICA IDENTITY FULL, the publication and its tables) are fixed instead,
 * all in one transaction and only once every other check has passed: a refused start changes nothing.
 */
public final class Preflight {
    private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);

    private final PipelineConfig config;
    private final List<TableId> tables;
    private final int parallelism;
    private final String switchFrom;

    /**
     * @param parallelism the job's parallelism: each snapshot reader holds a temporary slot
     */
    /** @param tables the captured tables, resolved from the config's patterns */
    public Preflight(PipelineConfig config, List<TableId> tables, int parallelism) {
        this(config, tables, parallelism, null);
    }

    private Preflight(PipelineConfig config, List<TableId> tables, int parallelism, String switchFrom) {
        this.config = config;
        this.tables = List.copyOf(tables);
        this.parallelism = parallelism;
        this.switchFrom = switchFrom;
    }

    /**
     * The checks of a start that switches the pipeline's source ({@code --switch-source}) resuming from
     * {@code savepoint}: the slot must exist and be free, and no prepared bronze transaction of the pipeline may be
     * pending, since the boundary of the switch is read from committed bronze (see {@code SwitchBoundary}).
     */
    public Preflight switchingSourceFrom(String savepoint) {
        return new Preflight(config, tables, parallelism, java.util.Objects.requireNonNull(savepoint, "savepoint"));
    }

    /**
     * Runs every check, then, with {@code init} and no problem left, applies the fixes.
     *
     * @param init fix what can be fixed (replica identity, publication) instead of reporting it
     * @param restoresState whether the job starts from a checkpoint or savepoint ({@code execution.savepoint.path});
     *     without one, every bronze change log must be empty
     * @throws PreflightException listing every problem that remains; nothing was changed
     */
    public void run(Connection c, boolean init, boolean restoresState) throws SQLException {
        run(c, c, init, restoresState);
    }

    /**
     * Runs every check on both sides: the source (replication, publication, identity, slots, column types) and
     * the database bronze is written to (bronze schema privileges, prepared transactions for the sink, empty logs
     * without state); with {@code init} and no problem left, applies the source fixes. With a separate target
     * each problem names its side.
     *
     * @param source a connection to the source database
     * @param target a connection to the database bronze is written to; {@code source} itself without a target
     * @throws PreflightException listing every problem that remains; nothing was changed
     */
    public void run(Connection source, Connection target, boolean init, boolean restoresState) throws SQLException {
        SourceInspection inspection = new SourcePreflight(config, tables).inspect(source);
        List<String> sourceProblems = new ArrayList<>(init ? inspection.problemsBeforeFixing()
                : inspection.problemsWithoutFixing(" (or start with --init)"));
        List<TableId> present = new ArrayList<>();
        for (TableId table : tables) {
            if (single(source, "SELECT to_regclass(" + SqlNames.literal(table.quoted()) + ")::text") != null) {
                present.add(table);
            }
        }
        boolean flinkCdc = config.connector() == SourceConnector.FLINK_CDC;
        if (flinkCdc) {
            // Limits of Flink CDC 3.5 / Debezium 1.9 alone: the pgoutput source decodes names as UTF-8, keeps every
            // column by its exact name, renders every type as to_jsonb does (the shared decoder, as in the Spark
            // engine) and hands a keyless table over exactly (one exported snapshot, then the stream).
            sourceProblems.addAll(unsupportedNames(tables));
            sourceProblems.addAll(nonAsciiColumns(source, present));
            sourceProblems.addAll(caseCollidingColumns(source, present));
            sourceProblems.addAll(FlinkColumnTypes.refusals(source, present));
            sourceProblems.addAll(keylessRefusals(source, present));
        }
        boolean slotExists = single(source, "SELECT slot_name FROM pg_replication_slots WHERE slot_name = "
                + SqlNames.literal(config.source().slotName())) != null;
        int free = Integer.parseInt(single(source, "SELECT current_setting('max_replication_slots')::int"
                + " - (SELECT count(*) FROM pg_replication_slots)"));
        // Flink CDC's snapshot readers each hold a temporary slot; the pgoutput source reads its own slot only.
        int needed = (flinkCdc ? parallelism : 0) + (slotExists ? 0 : 1);
        if (free < needed) {
            sourceProblems.add("only " + free + " replication slots are free but the job needs " + needed
                    + (flinkCdc ? " (its slot plus a temporary one per snapshot reader)" : " (its slot)")
                    + ": raise max_replication_slots or drop unused slots");
        }
        List<String> targetProblems = new ArrayList<>(TargetPreflight.problems(target, config));
        String preparedTransactions = single(target, "SELECT current_setting('max_prepared_transactions')");
        // Only the Flink CDC source's sink prepares transactions; the pgoutput source's sink keeps its progress in
        // bronze instead (BronzeLogSink), so it runs where max_prepared_transactions = 0, as on managed services.
        if (flinkCdc && Integer.parseInt(preparedTransactions) < parallelism + 1) {
            targetProblems.add("max_prepared_transactions is " + preparedTransactions + " but the exactly-once sink"
                    + " prepares one transaction per subtask and checkpoint in flight: set it to at least "
                    + 2 * (parallelism + 1) + " and restart the server");
        }
        if (!restoresState) {
            targetProblems.addAll(flinkCdc ? writtenBronze(target) : unresumableBronze(target, slotExists));
        }
        targetProblems.addAll(RecordedSource.problems(config, RecordedSource.read(target,
                new BronzeSchema(config.bronze().schema()), config.source().slotName()), switchFrom, restoresState));
        if (switchFrom != null) {
            if (!slotExists) {
                sourceProblems.add("--switch-source resumes from replication slot " + config.source().slotName()
                        + ", which does not exist: the changes since the savepoint are lost to this pipeline."
                        + " Rebuild: a new bronze.schema and a start without state (a new snapshot)");
            }
            targetProblems.addAll(pendingSinkTransactions(target));
        }
        List<String> problems = TargetPreflight.bySide(config, sourceProblems, targetProblems);
        if (!problems.isEmpty()) {
            throw new PreflightException(TargetPreflight.databases(config), problems);
        }
        inspection.warnings(init, "start once with --init").forEach(LOG::warn);
        if (init) {
            inspection.applyFixes(source).forEach(statement -> LOG.info("--init: {}", statement));
        }
    }

    /**
     * Prepared bronze transactions of this pipeline's sink that were neither committed nor rolled back (a job
     * cancelled between a checkpoint and its commit): the restore would commit them, after the switch boundary was
     * read from committed bronze without them.
     */
    private List<String> pendingSinkTransactions(Connection c) throws SQLException {
        String prefix = "bronze-cdc:" + config.source().slotName().length() + "_" + config.source().slotName() + "_"
                + config.bronze().schema() + ":";
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT string_agg(gid, ', ') FROM pg_prepared_xacts"
                + " WHERE starts_with(gid, ?)")) {
            ps.setString(1, prefix);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                String gids = rs.getString(1);
                return gids == null ? List.of() : List.of("--switch-source: prepared bronze transactions of this"
                        + " pipeline are pending (" + gids + "): the job was cancelled before its last checkpoint"
                        + " committed. Start it once more from the same savepoint or checkpoint with the previous"
                        + " source.connector and without --switch-source, then stop it with a savepoint (flink stop"
                        + " --savepointPath), which commits before it ends, and switch from that savepoint");
            }
        }
    }

    /**
     * A start without state takes an initial snapshot, which a bronze log that already holds rows would get a
     * second time. The sequencer refuses this too, but only once the job runs (and its source has created the
     * slot); here the start is refused before anything is submitted.
     */
    private List<String> writtenBronze(Connection c) throws SQLException {
        BronzeSchema schema = new BronzeSchema(config.bronze().schema());
        Map<TableId, Long> written = BronzeLogs.nonEmpty(c, schema, tables);
        if (written.isEmpty()) {
            return List.of();
        }
        return List.of("bronze schema " + schema + " already holds rows (" + written.entrySet().stream()
                .map(e -> schema.displayTableOf(e.getKey()) + " lsn 1.." + e.getValue()).collect(Collectors.joining(", "))
                + ") but the job starts without state to restore, so its initial snapshot would write every row"
                + " again. Restore the job from its latest checkpoint or savepoint (flink run -s <path>), or point"
                + " bronze.schema at an empty schema");
    }

    /**
     * The pgoutput source starts without state by resuming what bronze holds from the slot (see
     * {@code SlotReader}); it cannot when the slot is gone (the changes since are lost) or when a log holds rows that
     * its sink did not record ({@code bronze_log_progress}: written by the Flink CDC source's sink or by another
     * pipeline).
     */
    private List<String> unresumableBronze(Connection c, boolean slotExists) throws SQLException {
        BronzeSchema schema = new BronzeSchema(config.bronze().schema());
        Map<TableId, Long> written = BronzeLogs.nonEmpty(c, schema, tables);
        if (written.isEmpty()) {
            return List.of();
        }
        String holds = written.entrySet().stream().map(e -> schema.displayTableOf(e.getKey()) + " lsn 1.."
                + e.getValue()).collect(Collectors.joining(", "));
        if (!slotExists) {
            return List.of("bronze schema " + schema + " already holds rows (" + holds + ") but replication slot "
                    + config.source().slotName() + " does not exist, so the changes committed since bronze's last"
                    + " write are lost to this pipeline. Rebuild: drop this pipeline's bronze tables (or point"
                    + " bronze.schema at an empty schema) and start again");
        }
        Map<TableId, LogProgress> recorded =
                LogProgress.readAll(c, schema);
        List<String> unrecorded = written.entrySet().stream()
                .filter(e -> recorded.get(e.getKey()) == null || recorded.get(e.getKey()).lastLsn() != e.getValue())
                .map(e -> schema.displayTableOf(e.getKey()) + " lsn 1.." + e.getValue()).toList();
        if (unrecorded.isEmpty()) {
            return List.of();
        }
        return List.of("bronze schema " + schema + " holds rows that this source's sink did not record in "
                + schema + "." + LogProgress.TABLE + " (" + String.join(", ", unrecorded)
                + "): they were written with source.connector: flink-cdc or by another pipeline. Restore the job"
                + " from its latest checkpoint or savepoint (flink run -s <path>), or point bronze.schema at an"
                + " empty schema");
    }

    /**
     * Flink CDC 3.5 names each snapshot split {@code schema.table:n} and reads the table back from that text with
     * Debezium's identifier parser, which stops at white space and splits at every dot; its serializer quotes a part
     * that starts or ends with a quote character only as written. A table with such a name would snapshot its first
     * split and then fail the job; a non-ASCII name would be garbled in streamed changes (see
     * {@link #nonAsciiColumns}). The Flink engine refuses such a table; the Spark engine captures it.
     */
    static List<String> unsupportedNames(List<TableId> tables) {
        List<String> problems = new ArrayList<>();
        for (TableId table : tables) {
            if (!flinkCdcCanName(table.schema()) || !flinkCdcCanName(table.name())) {
                problems.add("table " + table + ": the Flink engine cannot capture a table whose schema or name"
                        + " contains white space, a dot or a non-ASCII character, or starts or ends with a quote"
                        + " character (Flink CDC 3.5 loses such a name in its snapshot splits, Debezium 1.9 garbles"
                        + " non-ASCII names in streamed changes). Rename it, leave it out with tables.exclude, or"
                        + " capture it with the Spark engine or the pgoutput source (source.connector: pgoutput)");
            }
        }
        return problems;
    }

    private static boolean flinkCdcCanName(String name) {
        String quotes = "\"'`";
        return name.chars().noneMatch(c -> Character.isWhitespace(c) || c == '.' || c > 127)
                && quotes.indexOf(name.charAt(0)) < 0 && quotes.indexOf(name.charAt(name.length() - 1)) < 0;
    }

    /**
     * Debezium 1.9's pgoutput decoder reads the names in a Relation message one byte per character, so a non-ASCII
     * schema, table or column name arrives garbled in streamed changes: the table's changes would be filtered out
     * or its columns misnamed. The Flink engine refuses such a table; the Spark engine decodes names as UTF-8.
     */
    private static List<String> nonAsciiColumns(Connection c, List<TableId> tables) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT string_agg(quote_ident(attname), ', '"
                + " ORDER BY attnum) FROM pg_attribute WHERE attrelid = to_regclass(?) AND attnum > 0"
                + " AND NOT attisdropped AND attname::text !~ '^[\\x01-\\x7f]*$'")) {
            for (TableId table : tables) {
                ps.setString(1, table.quoted());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getString(1) != null) {
                        problems.add("table " + table + ", columns " + rs.getString(1) + ": the Flink engine cannot"
                                + " capture a column whose name has a non-ASCII character (Debezium 1.9 garbles it in"
                                + " streamed changes). Rename the column, leave the table out with tables.exclude, or"
                                + " capture it with the Spark engine or the pgoutput source"
                                + " (source.connector: pgoutput)");
                    }
                }
            }
        }
        return problems;
    }

    /**
     * Two columns whose names differ only in case ({@code "SomeValue"} and {@code "someValue"}): Debezium 1.9 looks
     * columns up without regard to case, so one of the two is dropped from every row (seen in AnyDatabaseIT: the
     * snapshot rows of such a table lacked the text column). The Flink engine refuses such a table; the Spark engine
     * captures it.
     */
    private static List<String> caseCollidingColumns(Connection c, List<TableId> tables) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT string_agg(names, '; ') FROM (SELECT"
                + " string_agg(quote_ident(attname), ' and ' ORDER BY attnum) AS names FROM pg_attribute"
                + " WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped GROUP BY lower(attname)"
                + " HAVING count(*) > 1) same")) {
            for (TableId table : tables) {
                ps.setString(1, table.quoted());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getString(1) != null) {
                        problems.add("table " + table + ", columns " + rs.getString(1) + ": the Flink engine cannot"
                                + " capture columns whose names differ only in case (Debezium 1.9 drops one of them"
                                + " from every row). Rename one of them, leave the table out with tables.exclude, or"
                                + " capture it with the Spark engine or the pgoutput source"
                                + " (source.connector: pgoutput)");
                    }
                }
            }
        }
        return problems;
    }

    /**
     * Tables without a primary key, which the Flink engine cannot capture exactly. Its source, Flink CDC's incremental
     * snapshot, reads a table in chunks of a key column and merges the changes made while a chunk is read into the
     * chunk's rows by the record key (Flink CDC 3.5 {@code IncrementalSourceScanFetcher}, a map from key to row):
     * without a primary key the key is empty, so every row of a chunk collapses into one and duplicate rows are lost;
     * skipping that merge ({@code scan.incremental.snapshot.backfill.skip}) doubles or loses the changes made during
     * the read instead. So no exact snapshot-to-stream handover exists for such a table there.
     */
    private static List<String> keylessRefusals(Connection c, List<TableId> tables) throws SQLException {
        List<String> refusals = new ArrayList<>();
        for (TableId table : tables) {
            if (SourceCatalog.primaryKey(c, table).isEmpty()) {
                refusals.add("table " + table + " has no primary key, and the Flink engine cannot capture such a"
                        + " table exactly: its source (Flink CDC's incremental snapshot) merges the changes made"
                        + " during the snapshot into the snapshot's rows by primary key, so duplicate rows would be"
                        + " lost or doubled. Add a primary key to " + table + " (ALTER TABLE " + table.quoted()
                        + " ADD PRIMARY KEY (...)), capture it with the Spark engine or the Flink engine's pgoutput"
                        + " source (source.connector: pgoutput), or leave it out of 'tables'");
            }
        }
        return refusals;
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
