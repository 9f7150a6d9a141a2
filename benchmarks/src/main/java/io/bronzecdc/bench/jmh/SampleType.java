package io.bronzecdc.bench.jmh;

import io.bronzecdc.model.codec.PgType;
import io.bronzecdc.model.codec.ValueShape;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.SchemaBuilder;

/**
 * A PostgreSQL column type of the sample tables, with the three forms each of its values takes on the way to
 * {@code full_row}: the Java value JDBC hands over, the text output pgoutput hands over, and the Kafka Connect value
 * Debezium's Postgres connector hands over (default {@code time.precision.mode},
 * {@code decimal.handling.mode=precise}).
 */
enum SampleType {
    INT2(21, "int2"),
    INT4(23, "int4"),
    INT8(20, "int8"),
    /** numeric(12,2). */
    NUMERIC(1700, "numeric"),
    FLOAT8(701, "float8"),
    BOOL(16, "bool"),
    TEXT(25, "text"),
    VARCHAR(1043, "varchar"),
    DATE(1082, "date"),
    TIMESTAMP(1114, "timestamp"),
    TIMESTAMPTZ(1184, "timestamptz"),
    JSONB(3802, "jsonb"),
    UUID(2950, "uuid"),
    BYTEA(17, "bytea"),
    INT4_ARRAY(1007, "_int4"),
    TEXT_ARRAY(1009, "_text");

    /** Text with what COPY and JSON must escape (quotes, backslash, tab, newline) and non-ASCII characters. */
    private static final String[] WORDS = {"plain", "O'Brien", "say \"hi\"", "back\\slash", "tab\there",
        "line\nbreak", "naïve café", "日本語", "Zürich", "rocket 🚀", "{braces}", "a, b", "NULL", "", "50% off",
        "<tag>", "κόσμε", "emoji 😀 pair"};
    private static final DateTimeFormatter PG_TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss",
            Locale.ROOT);
    private static final LocalDateTime EPOCH_2020 = LocalDateTime.of(2020, 1, 1, 0, 0);
    private static final HexFormat HEX = HexFormat.of();

    final int oid;
    final String typeName;

    SampleType(int oid, String typeName) {
        this.oid = oid;
        this.typeName = typeName;
    }

    /** Whether the Flink engine's Debezium source carries the type (its preflight refuses arrays). */
    boolean debeziumCarries() {
        return this != INT4_ARRAY && this != TEXT_ARRAY;
    }

    /** The codec's category of the type (of the elements, for an array). */
    PgType pgType() {
        return PgType.fromTypeName(typeName);
    }

    boolean isArray() {
        return PgType.isArrayTypeName(typeName);
    }

    /** How {@code to_jsonb} renders the type, as the pgoutput decoder and the snapshot reader resolve it. */
    ValueShape shape() {
        return ValueShape.ofBuiltInName(typeName);
    }

    /** A random value (never null) in its Java form. */
    Object randomValue(Random random) {
        return switch (this) {
            case INT2 -> (short) random.nextInt(Short.MAX_VALUE);
            case INT4 -> random.nextInt();
            case INT8 -> random.nextLong();
            case NUMERIC -> BigDecimal.valueOf(random.nextLong() % 100_000_000_000L, 2);
            // three decimals, the last one not zero: PostgreSQL and the codec print such a double the same way
            case FLOAT8 -> (random.nextInt(10_000_000) * 10 + 1 + random.nextInt(9)) / 1000.0;
            case BOOL -> random.nextBoolean();
            case TEXT -> words(random, 1 + random.nextInt(8));
            case VARCHAR -> words(random, 1 + random.nextInt(2));
            case DATE -> LocalDate.of(1990, 1, 1).plusDays(random.nextInt(20_000));
            case TIMESTAMP -> timestamp(random);
            case TIMESTAMPTZ -> timestamp(random).atOffset(ZoneOffset.UTC);
            case JSONB -> "{\"id\": " + random.nextInt(100_000) + ", \"note\": " + jsonString(words(random, 2))
                    + ", \"tags\": [\"a\", \"b c\"], \"score\": " + random.nextInt(1000) + ".5, \"nested\": {\"ok\": "
                    + random.nextBoolean() + ", \"none\": null}}";
            case UUID -> new UUID(random.nextLong(), random.nextLong());
            case BYTEA -> {
                byte[] bytes = new byte[8 + random.nextInt(25)];
                random.nextBytes(bytes);
                yield bytes;
            }
            case INT4_ARRAY -> {
                List<Integer> elements = new ArrayList<>();
                for (int i = random.nextInt(6); i >= 0; i--) {
                    elements.add(random.nextInt(10) == 0 ? null : random.nextInt(2_000_000) - 1_000_000);
                }
                yield elements;
            }
            case TEXT_ARRAY -> {
                List<String> elements = new ArrayList<>();
                for (int i = random.nextInt(5); i >= 0; i--) {
                    elements.add(random.nextInt(10) == 0 ? null : words(random, 1 + random.nextInt(2)));
                }
                yield elements;
            }
        };
    }

    /**
     * The value as JDBC hands it to the codec ({@code CanonicalRowWriter.value}): itself, except floats, which the
     * codec reads as PostgreSQL's text ({@code JdbcRowEncoder}).
     */
    Object jdbcValue(Object value) {
        return value != null && this == FLOAT8 ? text(value) : value;
    }

    /** PostgreSQL's text output of the value (session {@code TimeZone = 'UTC'}, {@code DateStyle = ISO}). */
    String text(Object value) {
        if (value == null) {
            return null;
        }
        return switch (this) {
            case INT2, INT4, INT8, UUID, TEXT, VARCHAR, JSONB, DATE -> value.toString();
            case NUMERIC -> ((BigDecimal) value).toPlainString();
            case FLOAT8 -> BigDecimal.valueOf((Double) value).stripTrailingZeros().toPlainString();
            case BOOL -> (Boolean) value ? "t" : "f";
            case TIMESTAMP -> timestampText((LocalDateTime) value);
            case TIMESTAMPTZ -> timestampText(((OffsetDateTime) value).toLocalDateTime()) + "+00";
            case BYTEA -> "\\x" + HEX.formatHex((byte[]) value);
            case INT4_ARRAY -> ((List<?>) value).stream().map(e -> e == null ? "NULL" : e.toString())
                    .collect(Collectors.joining(",", "{", "}"));
            case TEXT_ARRAY -> ((List<?>) value).stream().map(e -> arrayElement((String) e))
                    .collect(Collectors.joining(",", "{", "}"));
        };
    }

    /** The value as Debezium's Postgres connector puts it in a Connect struct; only for types it carries. */
    Object connectValue(Object value) {
        if (value == null) {
            return null;
        }
        return switch (this) {
            case DATE -> (int) ((LocalDate) value).toEpochDay();
            case TIMESTAMP -> {
                LocalDateTime t = (LocalDateTime) value;
                yield t.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + t.getNano() / 1_000;
            }
            case TIMESTAMPTZ -> DateTimeFormatter.ISO_OFFSET_DATE_TIME.format((OffsetDateTime) value);
            case UUID -> value.toString();
            case INT4_ARRAY, TEXT_ARRAY -> throw new IllegalStateException(this + " is not carried by Debezium here");
            default -> value;
        };
    }

    /**
     * The Connect schema Debezium's Postgres connector gives a column of the type, with the source type name it
     * attaches under {@code column.propagate.source.type}.
     */
    SchemaBuilder connectSchema() {
        SchemaBuilder builder = switch (this) {
            case INT2 -> SchemaBuilder.int16();
            case INT4 -> SchemaBuilder.int32();
            case INT8 -> SchemaBuilder.int64();
            case NUMERIC -> Decimal.builder(2).parameter("connect.decimal.precision", "12");
            case FLOAT8 -> SchemaBuilder.float64();
            case BOOL -> SchemaBuilder.bool();
            case TEXT, VARCHAR -> SchemaBuilder.string();
            case DATE -> SchemaBuilder.int32().name("io.debezium.time.Date").version(1);
            case TIMESTAMP -> SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").version(1);
            case TIMESTAMPTZ -> SchemaBuilder.string().name("io.debezium.time.ZonedTimestamp").version(1);
            case JSONB -> SchemaBuilder.string().name("io.debezium.data.Json").version(1);
            case UUID -> SchemaBuilder.string().name("io.debezium.data.Uuid").version(1);
            case BYTEA -> SchemaBuilder.bytes();
            case INT4_ARRAY, TEXT_ARRAY -> throw new IllegalStateException(this + " is not carried by Debezium here");
        };
        return builder.parameter("__debezium.source.column.type", typeName.toUpperCase(Locale.ROOT));
    }

    private static LocalDateTime timestamp(Random random) {
        LocalDateTime t = EPOCH_2020.plusSeconds(random.nextInt(300_000_000));
        return random.nextInt(8) == 0 ? t : t.plusNanos(random.nextInt(1_000_000) * 1_000L);
    }

    /** {@code 2024-03-05 12:34:56.1234}: fractional seconds without trailing zeros, none when zero. */
    private static String timestampText(LocalDateTime t) {
        String text = PG_TIMESTAMP.format(t);
        int micros = t.getNano() / 1_000;
        if (micros == 0) {
            return text;
        }
        String fraction = String.format(Locale.ROOT, "%06d", micros).replaceAll("0+$", "");
        return text + "." + fraction;
    }

    private static String words(Random random, int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            sb.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
        }
        return sb.toString();
    }

    /** An element of a text array as {@code array_out} prints it: quoted when it must be, with \ before " and \. */
    private static String arrayElement(String element) {
        if (element == null) {
            return "NULL";
        }
        boolean quote = element.isEmpty() || element.equalsIgnoreCase("NULL");
        for (int i = 0; i < element.length() && !quote; i++) {
            char c = element.charAt(i);
            quote = c == '{' || c == '}' || c == ',' || c == '"' || c == '\\' || c == ' ' || c == '\t' || c == '\n'
                    || c == '\r' || c == '\u000B' || c == '\f';
        }
        if (!quote) {
            return element;
        }
        return '"' + element.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** A JSON string literal as jsonb prints it. */
    private static String jsonString(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
