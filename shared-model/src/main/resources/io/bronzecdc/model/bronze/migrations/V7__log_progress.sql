-- Progress of the Flink job's bronze log writer (pgoutput source), one row per change-log table, written in the
-- same transaction as the rows it covers: the table's last lsn and the stream position of the last change written
-- (commit LSN of its source transaction and its key there; change_key -1: the table's snapshot). After a restore
-- the job replays the stream from its checkpoint and the writer skips every change at or before this position, so
-- bronze never holds a change twice; the checkpoint only bounds where the replay starts. snapshot_lsn and
-- snapshot_xids: where the table's snapshot was read and, for a table brought in while the job streamed, which
-- transactions the snapshot holds (pg_snapshot text xmin:xmax:xip), so a replay from before it skips their changes.
CREATE TABLE ${schema}.bronze_log_progress (
    bronze_table  text        PRIMARY KEY,
    last_lsn      bigint      NOT NULL CHECK (last_lsn >= 0),
    commit_lsn    bigint      NOT NULL,
    change_key    bigint      NOT NULL,
    snapshot_lsn  bigint      NOT NULL,
    snapshot_xids text,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
