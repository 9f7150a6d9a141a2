-- Events of a captured table that are not row changes, in source order, written in the same bronze transaction
-- as the rows of their source transaction: schema changes (ALTER TABLE, from the logical decoding messages the
-- source's event trigger emits) and TRUNCATE. follows_lsn places an event in its table's log: the rows with
-- lsn <= follows_lsn were written before the event, the others after it (0: before the first row). Replay and
-- compaction apply the events to the rows written before them. Order of events: follows_lsn, commit_lsn,
-- source_lsn (the WAL positions of the source transaction's commit and of the event inside it).
CREATE TABLE ${schema}.bronze_table_events (
    bronze_table   text        NOT NULL,
    source_schema  text        NOT NULL,
    source_table   text        NOT NULL,
    follows_lsn    bigint      NOT NULL CHECK (follows_lsn >= 0),
    kind           text        NOT NULL CHECK (kind IN ('schema_change', 'truncate')),
    commit_lsn     bigint      NOT NULL,
    source_lsn     bigint      NOT NULL,
    tx_id          bigint      NOT NULL,
    commit_ts      timestamptz NOT NULL,
    command_tag    text        NOT NULL,
    ddl            text,
    columns_before jsonb,
    columns        jsonb,
    load_ts        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bronze_table, commit_lsn, source_lsn)
);
