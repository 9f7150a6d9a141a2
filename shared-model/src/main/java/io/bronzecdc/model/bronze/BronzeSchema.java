package io.bronzecdc.model.bronze;

import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SqlNames;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The one definition of a bronze schema's tables and columns (DESIGN.md section 2). The DDL lives in the
 * versioned migrations applied by {@link BronzeMigrator}; engines and validators take names from here.
 *
 * @param name the bronze schema, a lower-case SQL identifier (default {@code cdc_bronze})
 */
public record BronzeSchema(String name) {
    /** {@code <bronze>.bronze_tables}: which source table each change-log table records. */
    public static final String TABLES_TABLE = "bronze_tables";
    private static final Pattern PLAIN = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
    private static final Pattern NOT_PLAIN_CHARACTERS = Pattern.compile("[^a-z0-9]+");
    private static final int HASH_HEX_DIGITS = 10;

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

    /** {@code "<schema>"."<log table>"}: the change-log table of {@code source} as SQL takes it. */
    public String tableOf(TableId source) {
        return SqlNames.quote(name) + "." + SqlNames.quote(logTableName(source));
    }

    /** {@code <schema>.<table>} for messages: {@code cdc_bronze.br_customer_cdc}. */
    public String displayTableOf(TableId source) {
        return name + "." + logTableName(source);
    }

    /** {@code "<schema>"."<table>"}: one of the schema's own tables, such as {@link #TABLES_TABLE}, in SQL. */
    public String quoted(String table) {
        return SqlNames.quote(name) + "." + SqlNames.quote(table);
    }

    /** {@code <schema>.bronze_table_events}, usable in SQL as is. */
    public String tableEvents() {
        return name + "." + TABLE_EVENTS;
    }

    /**
     * The name of the change-log table of {@code source}, a pure function of the source's schema and name, never
     * longer than 63 bytes, and different for different sources. A part is plain when it matches
     * {@code [a-z][a-z0-9]*(_[a-z0-9]+)*} (no double underscore, none at either end):
     * <ul>
     *   <li>a plain table of schema {@code public}: {@code br_<table>_cdc};</li>
     *   <li>a plain table of another plain schema: {@code br_<schema>__<table>_cdc};</li>
     *   <li>anything else, or a name over 63 bytes: {@code br_<sanitized>___<hash>_cdc}, where sanitized is
     *       {@code schema__table} lower-cased with each run of characters outside {@code [a-z0-9]} replaced by one
     *       {@code _}, cut to fit, and hash the first 10 hex digits of the SHA-256 of {@link TableId#quoted()}.</li>
     * </ul>
     * Plain parts have no double underscore, so the first two forms cannot collide; only hashed names contain a
     * triple underscore.
     */
    public static String logTableName(TableId source) {
        boolean plainTable = PLAIN.matcher(source.name()).matches();
        String readable = null;
        if (plainTable && source.schema().equals("public")) {
            readable = "br_" + source.name() + "_cdc";
        } else if (plainTable && PLAIN.matcher(source.schema()).matches()) {
            readable = "br_" + source.schema() + "__" + source.name() + "_cdc";
        }
        if (readable != null && readable.length() <= TableId.MAX_NAME_BYTES) {
            return readable;
        }
        String hash = HexFormat.of().formatHex(sha256(source.quoted())).substring(0, HASH_HEX_DIGITS);
        String suffix = "___" + hash + "_cdc";
        String sanitized = NOT_PLAIN_CHARACTERS.matcher(asciiLowerCase(source.schema() + "__" + source.name()))
                .replaceAll("_");
        int room = TableId.MAX_NAME_BYTES - "br_".length() - suffix.length();
        return "br_" + sanitized.substring(0, Math.min(room, sanitized.length())) + suffix;
    }

    /** Lower case of the ASCII letters only, so that the name does not depend on the JVM's Unicode tables. */
    private static String asciiLowerCase(String text) {
        StringBuilder lower = new StringBuilder(text.length());
        text.chars().forEach(c -> lower.append((char) (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c)));
        return lower.toString();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * {@code CREATE TABLE IF NOT EXISTS "<schema>"."<log table>" (...)}: the change-log table of one source table,
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
