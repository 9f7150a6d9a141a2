package io.bronzecdc.model.codec;

import java.util.Locale;

/**
 * The PostgreSQL types the canonical codec knows by name, grouped by how {@code to_jsonb} renders them.
 * Every other type is {@link #OTHER}: {@code to_jsonb} renders it as a JSON string of its text output (enums,
 * uuid, interval, inet, oid, ...), and so does the codec.
 */
public enum PgType {
    /** int2, int4, int8: JSON number (not oid: {@code to_jsonb} gives an oid as a string). */
    INTEGER,
    /** numeric: JSON number with its exact digits; NaN and infinities as strings. */
    NUMERIC,
    /** float4, float8: JSON number as PostgreSQL prints it; NaN and infinities as strings. */
    FLOAT,
    /** bool: JSON true / false. */
    BOOLEAN,
    /** text, varchar, bpchar, name, char: JSON string. */
    TEXT,
    /** date: {@code 2022-02-14}. */
    DATE,
    /** time: {@code 01:58:52.222594}. */
    TIME,
    /** timetz: {@code 01:58:52.222594+05:30}, {@code 12:00:00+00} (offset as PostgreSQL prints it). */
    TIMETZ,
    /** timestamp: {@code 2022-01-29T01:58:52.222594}. */
    TIMESTAMP,
    /** timestamptz: {@code 2022-01-29T01:58:52.222594+00:00} (always UTC). */
    TIMESTAMPTZ,
    /** bytea: the hex text {@code \x0102} as a JSON string. */
    BYTEA,
    /** json, jsonb: nested JSON. */
    JSON,
    /** Anything else: JSON string of the type's text output. */
    OTHER;

    /**
     * The type for a {@code pg_type.typname}, such as {@code int4} or {@code timestamptz}. Array type names
     * ({@code _int4}) give their element type; see {@link #isArrayTypeName}.
     */
    public static PgType fromTypeName(String typeName) {
        String name = typeName.toLowerCase(Locale.ROOT);
        if (isArrayTypeName(name)) {
            name = name.substring(1);
        }
        return switch (name) {
            case "int2", "int4", "int8", "smallint", "integer", "bigint", "serial", "bigserial" -> INTEGER;
            case "numeric", "decimal" -> NUMERIC;
            case "float4", "float8", "real", "double precision" -> FLOAT;
            case "bool", "boolean" -> BOOLEAN;
            case "text", "varchar", "bpchar", "name", "char", "character varying", "character" -> TEXT;
            case "date" -> DATE;
            case "time" -> TIME;
            case "timetz" -> TIMETZ;
            case "timestamp" -> TIMESTAMP;
            case "timestamptz" -> TIMESTAMPTZ;
            case "bytea" -> BYTEA;
            case "json", "jsonb" -> JSON;
            default -> OTHER;
        };
    }

    /** Whether a {@code pg_type.typname} names an array type ({@code _int4}, {@code _text}). */
    public static boolean isArrayTypeName(String typeName) {
        return typeName.startsWith("_");
    }
}
