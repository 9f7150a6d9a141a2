package io.bronzecdc.flink.source;

import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.Op;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.SourcePosition;
import io.bronzecdc.model.event.TableId;
import java.time.Instant;

/**
 * A change as it travels from the source to the sequencer: the fields of a {@link ChangeEvent}, flattened to
 * primitives and strings so that Flink serializes it as a POJO (never Kryo) between operators.
 *
 * @param table the source table as {@link TableId#toString()} shows it ({@code public.orders},
 *     {@code "Sales Dept"."Order Items"}); {@link TableId#parse} reads it back
 * @param op I, U or D
 * @param fullRow canonical JSON of the row
 * @param snapshot whether the initial snapshot read it
 * @param orderLsn WAL position that orders transactions: Debezium's last commit position before this
 *     transaction (0 for snapshot rows and for the first transaction after a start)
 * @param changeLsn WAL position of the change (0 for snapshot rows)
 * @param indexInTransaction position of the change inside its transaction
 * @param txId source transaction id (-1 for snapshot rows)
 * @param commitMillis commit time in epoch milliseconds (-1 for snapshot rows)
 */
public record CapturedChange(
        String table, char op, String fullRow, boolean snapshot, long orderLsn, long changeLsn,
        long indexInTransaction, long txId, long commitMillis) {

    /** The model's change event. */
    public ChangeEvent toChangeEvent() {
        SourcePosition position = snapshot
                ? SourcePosition.snapshot(PgLsn.ZERO)
                : SourcePosition.streamed(PgLsn.of(orderLsn), PgLsn.of(changeLsn), indexInTransaction, txId,
                        Instant.ofEpochMilli(commitMillis));
        return new ChangeEvent(TableId.parse(table), Op.fromCode(op), fullRow, position);
    }
}
