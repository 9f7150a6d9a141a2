-- The bronze contract (DESIGN.md section 2): one change-log table per source table.
-- ${schema} is the bronze schema of the pipeline (default cdc_bronze).
CREATE TABLE ${schema}.br_customer_cdc (
    lsn        BIGINT      PRIMARY KEY,
    op         CHAR(1)     NOT NULL CHECK (op IN ('I', 'U', 'D')),
    full_row   JSONB       NOT NULL,
    load_ts    TIMESTAMPTZ NOT NULL DEFAULT now(),
    source_lsn BIGINT      NOT NULL,
    tx_id      BIGINT,
    commit_ts  TIMESTAMPTZ
);
CREATE TABLE ${schema}.br_payment_cdc (LIKE ${schema}.br_customer_cdc INCLUDING ALL);
CREATE TABLE ${schema}.br_rental_cdc (LIKE ${schema}.br_customer_cdc INCLUDING ALL);
COMMENT ON COLUMN ${schema}.br_customer_cdc.lsn IS 'dense change sequence 1..N in source commit order';
COMMENT ON COLUMN ${schema}.br_customer_cdc.source_lsn IS 'WAL position of the change (pg_lsn as bigint)';
