package io.bronzecdc.model.pgoutput;

import io.bronzecdc.model.codec.ValueShape;

/**
 * The {@code pg_type.typname} of the built-in types the capture meets most, by OID, so the decoder needs no
 * catalog lookup for them. Built-in OIDs are fixed by PostgreSQL's catalog ({@code pg_type.dat}) and the same on
 * every server; {@code PgOutputBuiltInTypesIT} checks this table against a real server.
 */
final class BuiltInTypes {
    private static final ValueShape[] SHAPES = new ValueShape[4_000];

    static {
        for (int oid : oids()) {
            SHAPES[oid] = ValueShape.ofBuiltInName(typeName(oid));
        }
    }

    private BuiltInTypes() {
    }

    /** The type name of a built-in OID, or null when the OID is not one of this table. */
    static String typeName(int oid) {
        return switch (oid) {
            case 16 -> "bool";
            case 17 -> "bytea";
            case 18 -> "char";
            case 19 -> "name";
            case 20 -> "int8";
            case 21 -> "int2";
            case 23 -> "int4";
            case 25 -> "text";
            case 26 -> "oid";
            case 114 -> "json";
            case 700 -> "float4";
            case 701 -> "float8";
            case 1042 -> "bpchar";
            case 1043 -> "varchar";
            case 1082 -> "date";
            case 1083 -> "time";
            case 1114 -> "timestamp";
            case 1184 -> "timestamptz";
            case 1266 -> "timetz";
            case 1700 -> "numeric";
            case 2950 -> "uuid";
            case 3802 -> "jsonb";
            case 199 -> "_json";
            case 1000 -> "_bool";
            case 1001 -> "_bytea";
            case 1005 -> "_int2";
            case 1007 -> "_int4";
            case 1009 -> "_text";
            case 1014 -> "_bpchar";
            case 1015 -> "_varchar";
            case 1016 -> "_int8";
            case 1021 -> "_float4";
            case 1022 -> "_float8";
            case 1115 -> "_timestamp";
            case 1182 -> "_date";
            case 1185 -> "_timestamptz";
            case 1231 -> "_numeric";
            case 2951 -> "_uuid";
            case 3807 -> "_jsonb";
            default -> null;
        };
    }

    /** The shape of a built-in OID of this table, or null when the OID is not one of this table. */
    static ValueShape shape(int oid) {
        return oid >= 0 && oid < SHAPES.length ? SHAPES[oid] : null;
    }

    /** Every OID of this table, for the check against a real server. */
    static int[] oids() {
        return new int[] {16, 17, 18, 19, 20, 21, 23, 25, 26, 114, 700, 701, 1042, 1043, 1082, 1083, 1114, 1184,
            1266, 1700, 2950, 3802, 199, 1000, 1001, 1005, 1007, 1009, 1014, 1015, 1016, 1021, 1022, 1115, 1182,
            1185, 1231, 2951, 3807};
    }
}
