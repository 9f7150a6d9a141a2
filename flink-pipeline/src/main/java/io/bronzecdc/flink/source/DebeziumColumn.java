package io.bronzecdc.flink.source;

import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.codec.PgType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * How one column of a Debezium row struct becomes a value {@code CanonicalRowWriter} accepts. Planned once per
 * Debezium schema from the column's Connect type, its logical name and the PostgreSQL type name Debezium
 * attaches with {@code column.propagate.source.type}.
 *
 * @param field the struct field
 * @param type the PostgreSQL type, which decides the JSON form
 * @param kind how the Debezium value converts
 */
record DebeziumColumn(Field field, PgType type, Kind kind) {
    /** The schema parameter holding the PostgreSQL type name ({@code column.propagate.source.type}). */
    static final String SOURCE_TYPE_PARAMETER = "__debezium.source.column.type";

    static DebeziumColumn plan(Field field, String table) {
        Schema schema = field.schema();
        Map<String, String> parameters = schema.parameters();
        String pgTypeName = parameters == null ? null : parameters.get(SOURCE_TYPE_PARAMETER);
        Kind kind = Kind.of(schema, table, field.name());
        // A domain or an extension type carries its own name, not its base type's: the value's kind decides.
        PgType named = pgTypeName == null ? PgType.OTHER : PgType.fromTypeName(pgTypeName);
        PgType type = named == PgType.OTHER || kind == Kind.JSON ? kind.defaultType : named;
        if ("OID".equalsIgnoreCase(pgTypeName)) {
            return new DebeziumColumn(field, PgType.OTHER, Kind.AS_IS); // to_jsonb gives an oid as a string
        }
        if (kind == Kind.BOOLEAN && "BIT".equalsIgnoreCase(pgTypeName)) {
            return new DebeziumColumn(field, PgType.OTHER, Kind.BIT_ONE); // bit(1) arrives as a boolean
        }
        if (kind == Kind.BYTES && named != PgType.BYTEA) {
            // include.unknown.datatypes: a type Debezium does not know arrives as the bytes of its text output.
            return new DebeziumColumn(field, PgType.OTHER, Kind.TEXT_BYTES);
        }
        return new DebeziumColumn(field, type, kind);
    }

    /**
     * The column's value, converted; null for SQL NULL. Never {@code Struct.get}: for a null value it answers the
     * schema's default, which Debezium fills from the column's DEFAULT clause (a NULL {@code timestamptz DEFAULT
     * now()} would read as 1970-01-01).
     */
    Object value(Struct row) {
        Object value = row.getWithoutDefault(field.name());
        return value == null ? null : kind.convert(value, this);
    }

    /** Debezium's value representations (with the default time.precision.mode and decimal.handling.mode=precise). */
    enum Kind {
        AS_IS(PgType.OTHER),
        INTEGER(PgType.INTEGER),
        FLOAT(PgType.FLOAT),
        BOOLEAN(PgType.BOOLEAN),
        TEXT(PgType.TEXT),
        /** {@code org.apache.kafka.connect.data.Decimal}: BigDecimal with the column's scale. */
        DECIMAL(PgType.NUMERIC),
        /** {@code io.debezium.data.VariableScaleDecimal}: struct {scale, value} for numeric without scale. */
        VARIABLE_SCALE_DECIMAL(PgType.NUMERIC),
        /** {@code io.debezium.time.Date}: days since 1970-01-01. */
        DATE_DAYS(PgType.DATE),
        /** {@code io.debezium.time.Timestamp}: epoch milliseconds of a timestamp without time zone. */
        TIMESTAMP_MILLIS(PgType.TIMESTAMP),
        /** {@code io.debezium.time.MicroTimestamp}: epoch microseconds of a timestamp without time zone. */
        TIMESTAMP_MICROS(PgType.TIMESTAMP),
        /** {@code io.debezium.time.ZonedTimestamp}: ISO-8601 text in UTC. */
        ZONED_TIMESTAMP(PgType.TIMESTAMPTZ),
        /** {@code io.debezium.time.MicroTime}: microseconds of the day. */
        TIME_MICROS(PgType.TIME),
        /** {@code io.debezium.time.Time}: milliseconds of the day. */
        TIME_MILLIS(PgType.TIME),
        BYTES(PgType.BYTEA),
        /** A type Debezium does not know ({@code include.unknown.datatypes}): the UTF-8 bytes of its text output. */
        TEXT_BYTES(PgType.OTHER),
        /** {@code io.debezium.data.Bits} of {@code bit(n)}: little-endian bytes, bit 0 is the last character. */
        BITS(PgType.OTHER),
        /** {@code bit(1)}, which Debezium hands over as a boolean. */
        BIT_ONE(PgType.OTHER),
        /** {@code io.debezium.data.Json}: the JSON text. */
        JSON(PgType.JSON);

        /** The first day of the Gregorian calendar; {@code java.sql} dates before it are Julian. */
        private static final LocalDate GREGORIAN_REFORM = LocalDate.of(1582, 10, 15);
        /** pgjdbc's {@code PGStatement.DATE_POSITIVE_INFINITY} in microseconds: how Debezium hands over infinity. */
        private static final long POSITIVE_INFINITY_MICROS = 9223372036825200000L;
        /** pgjdbc's {@code PGStatement.DATE_NEGATIVE_INFINITY} in microseconds. */
        private static final long NEGATIVE_INFINITY_MICROS = -9223372036832400000L;

        final PgType defaultType;

        Kind(PgType defaultType) {
            this.defaultType = defaultType;
        }

        static Kind of(Schema schema, String table, String column) {
            String name = schema.name();
            if (name != null) {
                switch (name) {
                    case "org.apache.kafka.connect.data.Decimal": return DECIMAL;
                    case "io.debezium.data.VariableScaleDecimal": return VARIABLE_SCALE_DECIMAL;
                    case "io.debezium.time.Date": return DATE_DAYS;
                    case "io.debezium.time.Timestamp": return TIMESTAMP_MILLIS;
                    case "io.debezium.time.MicroTimestamp": return TIMESTAMP_MICROS;
                    case "io.debezium.time.ZonedTimestamp": return ZONED_TIMESTAMP;
                    case "io.debezium.time.MicroTime": return TIME_MICROS;
                    case "io.debezium.time.Time": return TIME_MILLIS;
                    case "io.debezium.data.Json": return JSON;
                    case "io.debezium.data.Bits": return BITS;
                    case "io.debezium.data.Uuid", "io.debezium.data.Enum", "io.debezium.data.Xml",
                            "io.debezium.data.Ltree": return AS_IS;
                    default: break;
                }
            }
            return switch (schema.type()) {
                case INT8, INT16, INT32, INT64 -> INTEGER;
                case FLOAT32, FLOAT64 -> FLOAT;
                case BOOLEAN -> BOOLEAN;
                case STRING -> TEXT;
                case BYTES -> BYTES;
                default -> throw new ContractViolationException("table " + table + ", column " + column
                        + ": Debezium hands over a " + schema.type() + (name == null ? "" : " (" + name + ")")
                        + " value, which has no canonical form yet. Capture a supported type or report the column"
                        + " type so the codec can learn it");
            };
        }

        Object convert(Object value, DebeziumColumn column) {
            return switch (this) {
                case DATE_DAYS -> gregorian(LocalDate.ofEpochDay((Integer) value), column);
                case TIMESTAMP_MILLIS -> timestamp(Math.multiplyExact((Long) value, 1000L), column);
                case TIMESTAMP_MICROS -> timestamp((Long) value, column);
                case ZONED_TIMESTAMP -> zoned((String) value, column);
                case TEXT_BYTES -> new String(bytes(value), StandardCharsets.UTF_8);
                case BITS -> bits(bytes(value), column);
                case BIT_ONE -> (Boolean) value ? "1" : "0";
                case TIME_MICROS -> LocalTime.ofNanoOfDay(((Long) value) * 1000L);
                case TIME_MILLIS -> LocalTime.ofNanoOfDay(((Integer) value) * 1_000_000L);
                case VARIABLE_SCALE_DECIMAL -> {
                    Struct struct = (Struct) value;
                    yield new BigDecimal(new BigInteger(bytes(struct.getWithoutDefault("value"))),
                            struct.getInt32("scale"));
                }
                case FLOAT -> FloatText.of(value);
                default -> value;
            };
        }

        /**
         * Debezium's snapshot reads dates through {@code java.sql} types, whose calendar is Julian before the
         * Gregorian reform: an earlier date arrives shifted (and BC years wrong), with nothing to tell it from a
         * real one. Such a value stops the job rather than reach bronze altered.
         */
        private static LocalDate gregorian(LocalDate date, DebeziumColumn column) {
            if (date.isBefore(GREGORIAN_REFORM)) {
                throw new ContractViolationException("column " + column.field().name() + ": a date or timestamp"
                        + " before 1582-10-15 (or +/-infinity of a date), which the Flink CDC source (Debezium 1.9)"
                        + " does not carry exactly; it read " + date + ". Capture this table with the Spark engine,"
                        + " or keep such values out of it");
            }
            return date;
        }

        private static Object timestamp(long micros, DebeziumColumn column) {
            if (micros == POSITIVE_INFINITY_MICROS) {
                return "infinity";
            }
            if (micros == NEGATIVE_INFINITY_MICROS) {
                return "-infinity";
            }
            LocalDateTime timestamp = fromMicros(micros);
            gregorian(timestamp.toLocalDate(), column);
            return timestamp;
        }

        private static Object zoned(String text, DebeziumColumn column) {
            if (text.equals("infinity") || text.equals("-infinity")) {
                return text;
            }
            OffsetDateTime timestamp = OffsetDateTime.parse(text);
            gregorian(timestamp.toLocalDate(), column);
            return timestamp;
        }

        private static String bits(byte[] littleEndian, DebeziumColumn column) {
            Map<String, String> parameters = column.field().schema().parameters();
            int length = Integer.parseInt(parameters.get("length"));
            char[] text = new char[length];
            for (int i = 0; i < length; i++) {
                int bit = i / 8 < littleEndian.length ? (littleEndian[i / 8] >> (i % 8)) & 1 : 0;
                text[length - 1 - i] = bit == 1 ? '1' : '0';
            }
            return new String(text);
        }

        private static LocalDateTime fromMicros(long micros) {
            return LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
                    (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC);
        }

        private static byte[] bytes(Object value) {
            if (value instanceof ByteBuffer buffer) {
                byte[] bytes = new byte[buffer.remaining()];
                buffer.duplicate().get(bytes);
                return bytes;
            }
            return (byte[]) value;
        }
    }
}
