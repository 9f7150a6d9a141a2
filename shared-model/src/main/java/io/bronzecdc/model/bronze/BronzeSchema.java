package io.bronzecdc.model.bronze;

import io.bronzecdc.model.event.TableId;
import java.util.List;

/**
 * The one definition of a bronze schema's tables and columns (DESIGN.md section 2). The DDL lives in the
 * versioned migrations applied by {@link BronzeMigrator}; engines and validators take names from here.
 *
 * @param name the bronze schema, a lower-case SQL identifier (default {@code cdc_bronze})
 */
public record BronzeSchema(String name) {
    /** The default bronze schema. */
    public static final String DEFAULT_NAME = "cdc_bronze";

    /** {@code lsn BIGINT PRIMARY KEY}: dense change sequence per table, 1..N in source commit order. */
    public static final String LSN = "lsn";
    /** {@code op CHAR(1)}: I, U or D. */
    public static final String OP = "op";
    /** {@code full_row JSONB}: the complete row in canonical form. */
    public static final String FULL_ROW = "full_row";
    /** {@code load_ts TIMESTAMPTZ DEFAULT now()}: when the row was loaded, set by the database. */
    public static final String LOAD_TS = "load_ts";
    /** {@code source_lsn BIGINT}: WAL position of the change. */
    public static final String SOURCE_LSN = "source_lsn";
    /** {@code tx_id BIGINT}: source transaction id, null for snapshot rows. */
    public static final String TX_ID = "tx_id";
    /** {@code commit_ts TIMESTAMPTZ}: source commit time, null for snapshot rows. */
    public static final String COMMIT_TS = "commit_ts";

    /** The bookkeeping table of events that are not row changes (schema changes, TRUNCATE); see migration V5. */
    public static final String TABLE_EVENTS = "bronze_table_events";

    /** The columns an engine writes, in this order; {@code load_ts} is left to its default. */
    public static final List<String> WRITTEN_COLUMNS = List.of(LSN, OP, FULL_ROW, SOURCE_LSN, TX_ID, COMMIT_TS);

    public BronzeSchema {
        TableId.requireIdentifier("bronze schema", name);
    }

    /** The default schema, {@code cdc_bronze}. */
    public static BronzeSchema defaultSchema() {
        return new BronzeSchema(DEFAULT_NAME);
    }

    /** {@code <schema>.br_<table>_cdc}, usable in SQL as is. */
    public String tableOf(TableId source) {
        return name + "." + source.bronzeTableName();
    }

    /** {@code <schema>.bronze_table_events}, usable in SQL as is. */
    public String tableEvents() {
        return name + "." + TABLE_EVENTS;
    }

    /**
     * {@code CREATE TABLE IF NOT EXISTS <schema>.br_<table>_cdc (...)}: the change-log table of one source table,
     * with the columns of the contract.
     */
    public String createLogTableStatement(TableId source) {
        return "CREATE TABLE IF NOT EXISTS " + tableOf(source) + " ("
                + LSN + " BIGINT PRIMARY KEY,"
                + " " + OP + " CHAR(1) NOT NULL CHECK (" + OP + " IN ('I', 'U', 'D')),"
                + " " + FULL_ROW + " JSONB NOT NULL,"
                + " " + LOAD_TS + " TIMESTAMPTZ NOT NULL DEFAULT now(),"
                + " " + SOURCE_LSN + " BIGINT NOT NULL,"
                + " " + TX_ID + " BIGINT,"
                + " " + COMMIT_TS + " TIMESTAMPTZ)";
    }

    /**
     * {@code INSERT INTO <schema>.br_<table>_cdc (lsn, op, full_row, source_lsn, tx_id, commit_ts) VALUES
     * (?, ?, ?::jsonb, ?, ?, ?)}: the statement engines bind {@link BronzeRow}s to.
     */
    public String insertStatement(TableId source) {
        return "INSERT INTO " + tableOf(source) + " (" + String.join(", ", WRITTEN_COLUMNS)
                + ") VALUES (?, ?, ?::jsonb, ?, ?, ?)";
    }

    @Override
    public String toString() {
        return name;
    }
}
