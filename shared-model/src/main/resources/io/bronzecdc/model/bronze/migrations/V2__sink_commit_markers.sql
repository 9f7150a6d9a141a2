-- Markers of the Flink exactly-once sink: one row per prepared bronze transaction, written inside it. After a
-- failover, a COMMIT PREPARED that finds no prepared transaction looks here to tell "already committed" from
-- "lost". Old markers are pruned by the sink.
CREATE TABLE ${schema}.bronze_sink_commit (
    gid         text        PRIMARY KEY,
    prepared_at timestamptz NOT NULL DEFAULT now()
);
