package io.bronzecdc.flink.source;

import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.codec.PgType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
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
        return new DebeziumColumn(field, pgTypeName == null ? kind.defaultType : PgType.fromTypeName(pgTypeName), kind);
    }

    /**
     * The column's value, converted; null for SQL NULL. Never {@code Struct.get}: for a null value it answers the
     * schema's default, which Debezium fills from the column's DEFAULT clause (a NULL {@code timestamptz DEFAULT
     * now()} would read as 1970-01-01).
     */
    Object value(Struct row) {
        Object value = row.getWithoutDefault(field.name());
        return value == null ? null : kind.convert(value);
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
        /** {@code io.debezium.data.Json}: the JSON text. */
        JSON(PgType.JSON);

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
                    case "io.debezium.data.Uuid", "io.debezium.data.Enum", "io.debezium.data.Xml",
                            "io.debezium.time.ZonedTime", "io.debezium.time.Interval": return AS_IS;
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

        Object convert(Object value) {
            return switch (this) {
                case DATE_DAYS -> LocalDate.ofEpochDay((Integer) value);
                case TIMESTAMP_MILLIS -> fromMicros(((Long) value) * 1000L);
                case TIMESTAMP_MICROS -> fromMicros((Long) value);
                case ZONED_TIMESTAMP -> OffsetDateTime.parse((String) value);
                case TIME_MICROS -> LocalTime.ofNanoOfDay(((Long) value) * 1000L);
                case TIME_MILLIS -> LocalTime.ofNanoOfDay(((Integer) value) * 1_000_000L);
                case VARIABLE_SCALE_DECIMAL -> {
                    Struct struct = (Struct) value;
                    yield new BigDecimal(new BigInteger(bytes(struct.getWithoutDefault("value"))), struct.getInt32("scale"));
                }
                case FLOAT -> value instanceof Float f ? Double.parseDouble(Float.toString(f)) : value;
                default -> value;
            };
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
