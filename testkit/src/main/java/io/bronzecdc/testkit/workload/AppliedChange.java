package io.bronzecdc.testkit.workload;

import io.bronzecdc.model.event.Op;
import io.bronzecdc.model.event.TableId;

/**
 * One row change the workload made.
 *
 * @param table the source table
 * @param op I, U or D
 * @param key the row's primary key as canonical JSON, for example {@code {"customer_id": 7}} (jsonb text form)
 */
public record AppliedChange(TableId table, Op op, String key) {
}
