-- Rows the Spark engine's executors have encoded and sequenced but not yet published, one row per bronze row.
-- Each write task COPYs its rows here in a transaction of its own, marked with the run and its task attempt;
-- the driver then publishes the attempts Spark reported as successful into the change-log tables, together with
-- the pipeline's position, in one transaction that also deletes the slot's staged rows. Rows of failed, retried or speculative
-- attempts and of runs that died are never published: the next run of the slot deletes them first. UNLOGGED: the
-- rows are transient (a crash empties the table, which only makes the next run read the slot again).
CREATE UNLOGGED TABLE ${schema}.bronze_batch_stage (
    slot_name    text        NOT NULL,
    run_id       text        NOT NULL,
    attempt      bigint      NOT NULL,
    bronze_table text        NOT NULL,
    lsn          bigint      NOT NULL,
    op           char(1)     NOT NULL,
    full_row     jsonb       NOT NULL,
    source_lsn   bigint      NOT NULL,
    tx_id        bigint,
    commit_ts    timestamptz
);
CREATE INDEX ON ${schema}.bronze_batch_stage (slot_name, run_id, bronze_table, attempt);
-- The last Structured Streaming batch of the pipeline's query that bronze holds (the query's id and the batch's),
-- committed with its rows: Spark runs a batch again after a failure between the bronze commit and its own commit
-- log, and the job then recognises it and writes nothing. NULL until the first such batch (the snapshot run and runs
-- that bring new tables in are not query batches).
ALTER TABLE ${schema}.bronze_batch_progress ADD COLUMN query_id text, ADD COLUMN batch_id bigint;
