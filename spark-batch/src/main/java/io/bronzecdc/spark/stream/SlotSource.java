package io.bronzecdc.spark.stream;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.spark.exec.CapturedRows;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.connector.read.streaming.MicroBatchStream;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The pipeline's replication slot as a Structured Streaming source (Data Source V2, micro-batch reads): {@code
 * spark.readStream().format(SlotSource.class.getName()).option(SlotSource.PIPELINE, SlotSource.register(...))}.
 * Offsets are WAL positions ({@link SlotOffset}); each batch is one task that peeks the slot up to the batch's end
 * and decodes it ({@link io.bronzecdc.spark.exec.StreamTask}), rows in {@link CapturedRows}' schema.
 *
 * <p>The pipeline's config (with its password) never goes into the source's options, which Spark shows in plans
 * and the UI: the driver registers it in this JVM and passes the registration's key.
 */
public final class SlotSource implements TableProvider {
    /** The option naming a {@link #register registered} pipeline. */
    public static final String PIPELINE = "pipeline";

    private static final Map<String, Pipeline> PIPELINES = new ConcurrentHashMap<>();

    /**
     * What the source reads: the pipeline and the tables bronze captures.
     *
     * @param config the pipeline
     * @param tables the captured tables
     * @param lateTables called when tables new since the query started match the config: the query runs no more
     *     batches until it is restarted by the caller, who brings them in first
     * @param quietAt the source's WAL position when the last batch had committed and advanced the slot, set by the
     *     batch writer: while the WAL ends there, nothing happened since (the batch's own writes are not news)
     */
    public record Pipeline(PipelineConfig config, List<TableId> tables, Runnable lateTables,
            AtomicReference<PgLsn> quietAt) {
        public Pipeline {
            tables = List.copyOf(tables);
        }

        public Pipeline(PipelineConfig config, List<TableId> tables, Runnable lateTables) {
            this(config, tables, lateTables, new AtomicReference<>());
        }
    }

    /** Registers {@code pipeline} for sources of this JVM; returns the key for {@link #PIPELINE}. */
    public static String register(Pipeline pipeline) {
        String key = pipeline.config().source().slotName() + "-" + UUID.randomUUID();
        PIPELINES.put(key, pipeline);
        return key;
    }

    /** Forgets a registration. */
    public static void unregister(String key) {
        PIPELINES.remove(key);
    }

    @Override
    public StructType inferSchema(CaseInsensitiveStringMap options) {
        return CapturedRows.SCHEMA;
    }

    @Override
    public Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
        String key = properties.get(PIPELINE);
        Pipeline pipeline = key == null ? null : PIPELINES.get(key);
        if (pipeline == null) {
            throw new IllegalArgumentException("option '" + PIPELINE + "' must name a pipeline registered with"
                    + " SlotSource.register in this driver, got '" + key + "'");
        }
        return new SlotTable(pipeline);
    }

    private record SlotTable(Pipeline pipeline) implements Table, SupportsRead {
        @Override
        public String name() {
            return "bronze-cdc slot " + pipeline.config().source().slotName();
        }

        @Override
        @SuppressWarnings("deprecation")
        public StructType schema() {
            return CapturedRows.SCHEMA;
        }

        @Override
        public Set<TableCapability> capabilities() {
            return EnumSet.of(TableCapability.MICRO_BATCH_READ);
        }

        @Override
        public ScanBuilder newScanBuilder(CaseInsensitiveStringMap options) {
            return () -> new Scan() {
                @Override
                public StructType readSchema() {
                    return CapturedRows.SCHEMA;
                }

                @Override
                public String description() {
                    return name();
                }

                @Override
                public MicroBatchStream toMicroBatchStream(String checkpointLocation) {
                    return new SlotStream(pipeline);
                }
            };
        }
    }
}
