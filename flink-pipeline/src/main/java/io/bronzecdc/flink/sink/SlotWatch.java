package io.bronzecdc.flink.sink;

import io.bronzecdc.model.config.PipelineConfig;
import java.io.Serializable;

/**
 * Where the sink's metrics poller finds the pipeline's replication slot, to report the WAL it retains.
 *
 * @param source the source database, which holds the slot
 * @param slotName the pipeline's slot
 */
public record SlotWatch(JdbcTarget source, String slotName) implements Serializable {

    /** The slot of {@code config}'s source. */
    public static SlotWatch of(PipelineConfig config) {
        var source = config.source();
        return new SlotWatch(new JdbcTarget(source.jdbcUrl(), source.user(), source.password().reveal()),
                source.slotName());
    }
}
