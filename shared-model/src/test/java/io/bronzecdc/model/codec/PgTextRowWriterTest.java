package io.bronzecdc.model.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.ContractViolationException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PgTextRowWriter} (values as UTF-8 bytes) gives, byte for byte, the row {@link CanonicalRowWriter} gives for
 * the decoded texts, or the same error: over seeded random rows of every shape, with canonical values, edge forms,
 * malformed text and invalid UTF-8 (the seed is printed; rerun one with {@code -Dtest.seed=...}).
 */
class PgTextRowWriterTest {
    private static final ValueShape.Composite ITEM = new ValueShape.Composite("kit.item", List.of(
            new ValueShape.Field("name", ValueShape.ofBuiltInName("text")),
            new ValueShape.Field("qty", ValueShape.ofBuiltInName("int4"))));
    /** Every scalar category, and the shapes the writer hands to {@link CanonicalRowWriter}. */
    private static final List<ValueShape> SHAPES = List.of(
            ValueShape.ofBuiltInName("int2"), ValueShape.ofBuiltInName("int4"), ValueShape.ofBuiltInName("int8"),
            ValueShape.ofBuiltInName("numeric"), ValueShape.ofBuiltInName("float4"),
            ValueShape.ofBuiltInName("float8"), ValueShape.ofBuiltInName("bool"), ValueShape.ofBuiltInName("text"),
            ValueShape.ofBuiltInName("varchar"), ValueShape.ofBuiltInName("date"), ValueShape.ofBuiltInName("time"),
            ValueShape.ofBuiltInName("timetz"), ValueShape.ofBuiltInName("timestamp"),
            ValueShape.ofBuiltInName("timestamptz"), ValueShape.ofBuiltInName("bytea"),
            ValueShape.ofBuiltInName("json"), ValueShape.ofBuiltInName("jsonb"), ValueShape.ofBuiltInName("uuid"),
            ValueShape.ofBuiltInName("_int4"), ValueShape.ofBuiltInName("_text"),
            ValueShape.ofBuiltInName("_numeric"), ValueShape.ofBuiltInName("_bool"),
            ValueShape.ofBuiltInName("_timestamptz"), ValueShape.ofBuiltInName("_timestamp"),
            ValueShape.ofBuiltInName("_jsonb"), ValueShape.ofBuiltInName("_box"),
            new ValueShape.Array("_item", ITEM, ','),
            ValueShape.ofBuiltInName("tstzrange"), ITEM, new ValueShape.Hstore("hstore"),
            new ValueShape.Unsupported("kit.odd", "for the test"));
    private static final String[] PIECES = {"a", "Z", "0", " ", "\"", "\\", "\t", "\n", "\r", "\b", "\f", "\u0000",
        "\u0001", "\u001f", "\u007f", "/", "é", "€", "日本", "😀", "{", "}", ",", "NULL", "=>", "(", ")", "[", "]", "'",
        "-", "+", ":", ".", "e", "T", "BC", "\u2028"};

    @Test
    void shouldWriteWhatCanonicalRowWriterWritesForRandomRowsOfEveryType() {
        long seed = Long.getLong("test.seed", System.nanoTime());
        System.out.println("PgTextRowWriterTest seed " + seed);
        Random random = new Random(seed);
        PgTextRowWriter fast = new PgTextRowWriter();
        CanonicalRowWriter reference = new CanonicalRowWriter();
        int errors = 0;
        int rows = 20_000;
        for (int r = 0; r < rows; r++) {
            int columns = random.nextInt(6);
            List<PgTextRowWriter.Column> fastColumns = new ArrayList<>();
            List<byte[]> values = new ArrayList<>();
            for (int c = 0; c < columns; c++) {
                ValueShape shape = SHAPES.get(random.nextInt(SHAPES.size()));
                fastColumns.add(PgTextRowWriter.column(columnName(random, c), shape));
                values.add(random.nextInt(8) == 0 ? null : value(random, shape));
            }
            String expected;
            String expectedError = null;
            try {
                reference.begin();
                for (int c = 0; c < columns; c++) {
                    byte[] v = values.get(c);
                    reference.textValue(fastColumns.get(c).name(), fastColumns.get(c).shape(),
                            v == null ? null : new String(v, StandardCharsets.UTF_8));
                }
                expected = reference.end();
            } catch (ContractViolationException e) {
                expected = null;
                expectedError = e.getMessage();
            }
            String actual = null;
            String actualError = null;
            try {
                fast.begin();
                for (int c = 0; c < columns; c++) {
                    byte[] v = values.get(c);
                    if (v == null) {
                        fast.nullValue(fastColumns.get(c));
                    } else {
                        assertThat(fast.text(fastColumns.get(c), v, 0, v.length)).isTrue();
                    }
                }
                actual = fast.end();
            } catch (ContractViolationException e) {
                actualError = e.getMessage();
            }
            assertThat(actual).as("seed %d, row %d: %s", seed, r, describe(fastColumns, values)).isEqualTo(expected);
            assertThat(actualError).as("seed %d, row %d: %s", seed, r, describe(fastColumns, values))
                    .isEqualTo(expectedError);
            errors += expectedError == null ? 0 : 1;
        }
        // the random values must also reach the error paths, and mostly not
        assertThat(errors).as("seed %d", seed).isBetween(rows / 50, rows / 2);
    }

    @Test
    void shouldAcceptExactlyTheUtf8ThatJavaDecodes() {
        long seed = Long.getLong("test.seed", System.nanoTime());
        System.out.println("PgTextRowWriterTest utf8 seed " + seed);
        Random random = new Random(seed);
        for (int k = 0; k < 200_000; k++) {
            byte[] bytes = new byte[1 + random.nextInt(4)];
            random.nextBytes(bytes);
            bytes[0] |= (byte) 0x80;
            int n = PgTextRowWriter.utf8Sequence(bytes, 0, bytes.length);
            if (n > 0) {
                // one code point that Java decodes and encodes back to the same bytes
                String one = new String(bytes, 0, n, StandardCharsets.UTF_8);
                assertThat(one.codePointCount(0, one.length())).as("seed %d: %s", seed, hex(bytes)).isEqualTo(1);
                assertThat(one.getBytes(StandardCharsets.UTF_8)).as("seed %d: %s", seed, hex(bytes))
                        .isEqualTo(Arrays.copyOf(bytes, n));
            } else {
                // malformed: Java's decoder starts with a replacement character
                assertThat(new String(bytes, StandardCharsets.UTF_8).charAt(0)).as("seed %d: %s", seed, hex(bytes))
                        .isEqualTo('\uFFFD');
            }
        }
    }

    private static String columnName(Random random, int c) {
        return switch (random.nextInt(6)) {
            case 0 -> "c" + c + PIECES[random.nextInt(PIECES.length)];
            case 1 -> "ünï" + c;
            default -> "col_" + c;
        };
    }

    private static byte[] value(Random random, ValueShape shape) {
        if (random.nextInt(40) == 0) {
            return randomBytes(random); // often invalid UTF-8
        }
        if (random.nextInt(25) == 0) {
            return utf8(pieces(random, 1 + random.nextInt(4)));
        }
        if (shape instanceof ValueShape.Array array && random.nextInt(3) > 0) {
            return utf8(array(random, array, 0));
        }
        return utf8(scalar(random, shape.typeName()));
    }

    /** An array's text output with random elements, quoted or not, nested, sometimes malformed. */
    private static String array(Random random, ValueShape.Array array, int depth) {
        StringBuilder sb = new StringBuilder();
        if (depth == 0 && random.nextInt(10) == 0) {
            sb.append(pick(random, "[0:1]=", "[1:1][2:3]=", "[2", "["));
        }
        sb.append(pick(random, "{", "{", "{", "{", "{", "{", "{", "{", "{", "("));
        int count = random.nextInt(4);
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                sb.append(random.nextInt(40) == 0 ? "|" : String.valueOf(array.delimiter()));
            }
            if (depth < 2 && random.nextInt(6) == 0) {
                sb.append(array(random, array, depth + 1));
                continue;
            }
            String element = array.element() instanceof ValueShape.Composite ? "(a,1)"
                    : scalar(random, array.element().typeName());
            switch (random.nextInt(4)) {
                case 0 -> sb.append("NULL");
                case 1 -> sb.append('"').append(element.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
                default -> sb.append(element);
            }
        }
        if (random.nextInt(30) != 0) {
            sb.append('}');
        }
        return sb.toString();
    }

    private static String scalar(Random random, String typeName) {
        return switch (typeName) {
            case "int2", "int4", "int8" -> integer(random);
            case "numeric", "float4", "float8" -> number(random);
            case "bool" -> pick(random, "t", "f", "true", "false", "T", "yes", "");
            case "timestamp" -> timestamp(random);
            case "timestamptz" -> timestamptz(random);
            case "json", "jsonb" -> "{\"a\": " + integer(random) + ", \"b\": \"" + pieces(random, 2).replace("\\", "")
                    .replace("\"", "") + "\"}";
            case "bytea" -> "\\x" + Long.toHexString(random.nextLong());
            case "date" -> pick(random, "2022-02-14", "infinity", "0044-03-15 BC");
            case "time", "timetz" -> pick(random, "01:58:52.222594", "12:00:00+05:30", "24:00:00-00:53:28");
            case "_int4" -> pick(random, "{1,2,NULL}", "{}", "{{1,2},{3,4}}", "[0:1]={7,8}", "{1,x}");
            case "_text" -> "{\"" + pieces(random, 2).replace("\\", "\\\\").replace("\"", "\\\"") + "\",NULL,b}";
            case "tstzrange" -> pick(random, "[\"2020-01-01 05:30:00+05:30\",\"2020-01-02 00:00:00.5-08\")", "empty",
                    "(,infinity]", "[bad,)");
            case "kit.item" -> pick(random, "(\"it's\",3)", "(,)", "(a)", "(\"" + pieces(random, 2)
                    .replace("\\", "\\\\").replace("\"", "\"\"") + "\",-1)");
            case "hstore" -> pick(random, "\"a\"=>\"1\", \"b c\"=>NULL", "", "\"k\\\\\\\"q\"=>\"v,=>{}\"", "a=>");
            default -> pieces(random, random.nextInt(12));
        };
    }

    private static String integer(Random random) {
        return switch (random.nextInt(10)) {
            case 0 -> pick(random, "0", "-0", "+5", "007", "12a", "", "-", "9223372036854775807",
                    "-9223372036854775808", "9223372036854775808", "99999999999999999999", "١٢", "1 ");
            case 1 -> Long.toString(random.nextLong());
            default -> Integer.toString(random.nextInt(2_000_000) - 1_000_000);
        };
    }

    private static String number(Random random) {
        return switch (random.nextInt(8)) {
            case 0 -> pick(random, "NaN", "Infinity", "-Infinity", "nan", "1e10", "1E+5", "-2.5e-3", ".5", "5.", "-",
                    "0.000", "00", "1.5e", "0", "-0", "1e", "+1", "١");
            case 1 -> Double.toString(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
            default -> (random.nextInt(2_000_000) - 1_000_000) + "." + random.nextInt(100);
        };
    }

    private static String timestamp(Random random) {
        return switch (random.nextInt(8)) {
            case 0 -> pick(random, "infinity", "-infinity", "4713-01-01 00:00:00 BC", "2022-01-29T01:58:52",
                    "2022-01-29", "2022-01-29 01:58:52 \"x\"", "2022-01-29 01:58:52\n");
            default -> String.format("%04d-%02d-%02d %02d:%02d:%02d%s", 1 + random.nextInt(9999),
                    1 + random.nextInt(12), 1 + random.nextInt(28), random.nextInt(24), random.nextInt(60),
                    random.nextInt(60), fraction(random));
        };
    }

    private static String timestamptz(Random random) {
        if (random.nextInt(8) == 0) {
            return pick(random, "infinity", "-infinity", "0044-03-15 12:00:00+01 BC", "0001-01-01 05:00:00+18",
                    "0001-01-01 00:30:00+01", "9999-12-31 23:59:59.999999-12", "12345-01-01 00:00:00+00",
                    "2022-02-30 00:00:00+00", "2024-02-29 00:00:00+00", "2023-02-29 00:00:00+00", "2022-01-29 01:58:52",
                    "2022-01-29 01:58:52+19", "2022-01-29 01:58:52+1", "2022-01-29 01:58:52+01:60",
                    "2022-01-29 01:58:52.+01", "2022-01-29 01:58:52.1234567891+01", "2022-01-29 01:58:52.123456789+01",
                    "2022-01-29 24:00:00+00", "2022-01-29 01:58:52+01:30:15", "2022-01-29 01:58:52+01:30:15:00",
                    "2022-01-29x01:58:52+00");
        }
        String offset = switch (random.nextInt(4)) {
            case 0 -> "+00";
            case 1 -> String.format("%s%02d", random.nextBoolean() ? "+" : "-", random.nextInt(15));
            case 2 -> String.format("%s%02d:%02d", random.nextBoolean() ? "+" : "-", random.nextInt(15),
                    random.nextInt(60));
            default -> String.format("%s%02d:%02d:%02d", random.nextBoolean() ? "+" : "-", random.nextInt(15),
                    random.nextInt(60), random.nextInt(60));
        };
        return String.format("%04d-%02d-%02d %02d:%02d:%02d%s%s", 1 + random.nextInt(9999), 1 + random.nextInt(12),
                1 + random.nextInt(31), random.nextInt(24), random.nextInt(60), random.nextInt(60), fraction(random),
                offset);
    }

    private static String fraction(Random random) {
        int digits = random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(9);
        StringBuilder sb = new StringBuilder(digits == 0 ? "" : ".");
        for (int i = 0; i < digits; i++) {
            sb.append(random.nextInt(10));
        }
        return sb.toString();
    }

    private static String pieces(Random random, int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count; i++) {
            sb.append(PIECES[random.nextInt(PIECES.length)]);
        }
        return sb.toString();
    }

    private static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[random.nextInt(8)];
        random.nextBytes(bytes);
        return bytes;
    }

    private static String pick(Random random, String... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String describe(List<PgTextRowWriter.Column> columns, List<byte[]> values) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < columns.size(); c++) {
            sb.append(columns.get(c).name()).append(' ').append(columns.get(c).shape().typeName()).append('=')
                    .append(values.get(c) == null ? "NULL" : hex(values.get(c))).append("; ");
        }
        return sb.toString();
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }
}
