-- Which source the Flink job reads each pipeline's slot with (source.connector), one row per slot: written at the
-- pipeline's first start, changed only by a switch (BronzeCdcJob --switch-source), which also records the savepoint
-- it resumed from, so a retry of the same switch is told from a restore of a checkpoint taken after it. A start with
-- another source.connector than recorded is refused before anything is submitted. The Spark engine does not use it.
CREATE TABLE ${schema}.bronze_pipeline_source (
    slot_name          text        PRIMARY KEY,
    connector          text        NOT NULL,
    since              timestamptz NOT NULL DEFAULT now(),
    previous_connector text,
    switched_from      text
);
