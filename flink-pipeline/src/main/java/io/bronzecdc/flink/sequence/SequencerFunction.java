package io.bronzecdc.flink.sequence;

import io.bronzecdc.flink.sink.JdbcTarget;
import io.bronzecdc.flink.source.CapturedChange;
import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.bronze.BronzeLogs;
import io.bronzecdc.model.bronze.BronzeMigrator;
import io.bronzecdc.model.bronze.BronzeRow;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.sequence.Sequencer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keyed (by table) adapter of the model's {@link Sequencer}: gives each change the next dense lsn of its
 * table. The last lsn per table is Flink keyed state, checkpointed together with the source position and the
 * sink's prepared transaction, so a restore continues exactly where the committed bronze ends.
 *
 * <p>Metrics per table ({@code table=<name>}): {@code changes} (counter), {@code changesPerSecond} (meter) and
 * {@code lagMillis} (commit to sequencing, of the latest streamed change). Progress is logged every
 * {@value #PROGRESS_INTERVAL_MILLIS} ms per table, never per record.
 */
public final class SequencerFunction extends KeyedProcessFunction<String, CapturedChange, SequencedChange> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SequencerFunction.class);
    static final long PROGRESS_INTERVAL_MILLIS = 10_000;

    private final JdbcTarget target;
    private final String bronzeSchema;
    private final boolean switchedSource;

    private transient ValueState<Long> lastLsn;
    private transient Map<String, Sequencer> sequencers;
    private transient Map<String, TableProgress> progress;

    public SequencerFunction(JdbcTarget target, BronzeSchema bronzeSchema) {
        this(target, bronzeSchema, false);
    }

    /**
     * @param switchedSource whether the job switched its source ({@code --switch-source}): a table without state
     *     then continues after the last lsn bronze holds (the savepoint of the other source has no sequencer state,
     *     and the switch filter drops what bronze holds), instead of refusing a log with rows
     */
    public SequencerFunction(JdbcTarget target, BronzeSchema bronzeSchema, boolean switchedSource) {
        this.target = target;
        this.bronzeSchema = bronzeSchema.name();
        this.switchedSource = switchedSource;
    }

    @Override
    public void open(Configuration parameters) {
        lastLsn = getRuntimeContext().getState(new ValueStateDescriptor<>("last-lsn", Types.LONG));
        sequencers = new HashMap<>();
        progress = new HashMap<>();
    }

    @Override
    public void processElement(CapturedChange change, Context ctx, Collector<SequencedChange> out) throws Exception {
        Sequencer sequencer = sequencers.get(change.table());
        if (sequencer == null) {
            Long last = lastLsn.value();
            if (last == null) {
                last = firstSight(change.table());
                ctx.timerService().registerProcessingTimeTimer(
                        ctx.timerService().currentProcessingTime() + PROGRESS_INTERVAL_MILLIS);
            }
            sequencer = new Sequencer(Map.of(TableId.parse(change.table()), last));
            sequencers.put(change.table(), sequencer);
        }
        if (change.isEvent()) {
            // An event takes no lsn: it follows the table's last row, which the sink records with it.
            long follows = sequencer.lastLsn().getOrDefault(TableId.parse(change.table()), 0L);
            out.collect(SequencedChange.of(change, follows));
            LOG.info("{}: {} at commit {} recorded after lsn {}", change.table(), change.toTableEvent().commandTag(),
                    PgLsn.of(change.orderLsn()), follows);
            return;
        }
        BronzeRow row = sequencer.next(change.toChangeEvent());
        lastLsn.update(row.lsn());
        tableProgress(change.table()).record(change);
        out.collect(SequencedChange.of(change, row.lsn()));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<SequencedChange> out) throws Exception {
        tableProgress(ctx.getCurrentKey()).log(lastLsn.value());
        ctx.timerService().registerProcessingTimeTimer(timestamp + PROGRESS_INTERVAL_MILLIS);
    }

    /**
     * A table without checkpointed state gets its change log and {@code bronze_tables} row here when it has none
     * yet: a table that joined the running pipeline (the source brought it in with a snapshot). They commit in a
     * transaction of their own, before any row of the table can (rows commit at a checkpoint), and creating them
     * again is a no-op, so a failure in between leaves an empty log that the table's next snapshot fills.
     *
     * <p>The log must be empty: otherwise the snapshot that this start takes would add every row a second time.
     * The job's {@code main} refuses such a start before submitting it (exit code 2); this is the last guard, for a
     * start that bypassed it.
     */
    private long firstSight(String table) throws SQLException {
        TableId source = TableId.parse(table);
        try (Connection c = target.connect()) {
            BronzeMigrator.migrate(c, new BronzeSchema(bronzeSchema), List.of(source));
            long max = BronzeLogs.maxLsn(c, new BronzeSchema(bronzeSchema), source);
            if (switchedSource) {
                LOG.info("{}: continuing after lsn {} of bronze (source switched)", table, max);
                return max;
            }
            if (max > 0) {
                throw new ContractViolationException(new BronzeSchema(bronzeSchema).displayTableOf(source) + " already holds"
                        + " lsn 1.." + max + " but this job starts without checkpointed state for " + table + ", so"
                        + " its initial snapshot would write every row again. Restore the job from its latest"
                        + " checkpoint or savepoint (flink run -s <path>), or point bronze.schema at an empty schema");
            }
            return 0L;
        }
    }

    private TableProgress tableProgress(String table) {
        return progress.computeIfAbsent(table, t -> new TableProgress(t, getRuntimeContext().getMetricGroup()));
    }
}
