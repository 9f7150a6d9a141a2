-- Position of each Spark micro-batch pipeline, one row per replication slot, written in the same transaction as
-- the bronze rows it covers: bronze holds exactly the transactions whose commit record starts before covered_lsn
-- (the initial snapshot covers up to the slot's consistent point). A rerun skips what is covered and advances
-- the slot to covered_lsn only after the commit.
CREATE TABLE ${schema}.bronze_batch_progress (
    slot_name    text        PRIMARY KEY,
    snapshot_lsn pg_lsn      NOT NULL,
    covered_lsn  pg_lsn      NOT NULL CHECK (covered_lsn >= snapshot_lsn),
    runs         bigint      NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
