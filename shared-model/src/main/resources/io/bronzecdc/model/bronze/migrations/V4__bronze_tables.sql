-- Which source table each change-log table records, so that a reader can find a table's log (the naming rule of
-- BronzeSchema.tableOf is stable, but a hashed name cannot be read back). One row per captured source table,
-- written in the transaction that creates its change-log table; a bronze table never serves two sources.
CREATE TABLE ${schema}.bronze_tables (
    source_schema     text        NOT NULL,
    source_table      text        NOT NULL,
    bronze_table      text        NOT NULL UNIQUE,
    first_captured_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_schema, source_table)
);
