package io.bronzecdc.model.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.codec.TypeShapes;
import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.event.UpdateRule;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The decoder's in-place path (changes read from the message bytes, rows written as UTF-8) gives exactly what the
 * parser's path gives, events or error: one decoder reads heap buffers (in place), the other the same messages as
 * read-only buffers (which have no array, so they go through {@link PgOutputParser}). Seeded random transactions over
 * a keyed and a keyless table of many types: NULLs, unchanged-TOAST markers, key changes, key-only and missing old
 * rows, binary values, malformed values, invalid UTF-8, cut and overlong messages (the seed is printed; rerun one with
 * {@code -Dtest.seed=...}).
 */
class PgOutputDecoderInPlaceTest {
    private static final int KEYED = 16_500;
    private static final int KEYLESS = 16_501;
    private static final int USER_TYPE = 16_999;
    private static final Map<Integer, String> TYPES = Map.ofEntries(Map.entry(23, "int4"), Map.entry(20, "int8"),
            Map.entry(1700, "numeric"), Map.entry(701, "float8"), Map.entry(16, "bool"), Map.entry(25, "text"),
            Map.entry(1043, "varchar"), Map.entry(1082, "date"), Map.entry(1114, "timestamp"),
            Map.entry(1184, "timestamptz"), Map.entry(3802, "jsonb"), Map.entry(2950, "uuid"), Map.entry(17, "bytea"),
            Map.entry(1007, "_int4"), Map.entry(1009, "_text"), Map.entry(USER_TYPE, "odd"));
    private static final int[] COLUMN_TYPES = {23, 1043, 20, 1700, 701, 16, 25, 1082, 1114, 1184, 3802, 2950, 17,
        1007, 1009, USER_TYPE};
    private static final String[] TEXTS = {"plain", "O'Brien", "say \"hi\"", "back\\slash", "tab\there", "naïve",
        "日本語", "rocket 🚀", "", "ctl\u0001", "{a,\"b c\",NULL}", "line\nbreak"};

    @Test
    void shouldDecodeInPlaceExactlyAsTheParserPathDoes() {
        long seed = Long.getLong("test.seed", System.nanoTime());
        System.out.println("PgOutputDecoderInPlaceTest seed " + seed);
        Random random = new Random(seed);
        TypeShapes shapes = TypeShapes.byName(TYPES::get);
        TableId keyed = TableId.of("kit_keyed");
        TableId keyless = TableId.of("kit_keyless");
        java.util.function.Function<TableId, UpdateRule> rules =
                t -> t.equals(keyed) ? new UpdateRule(List.of("id", "code")) : UpdateRule.keyless();
        PgOutputDecoder inPlace = new PgOutputDecoder(t -> !t.name().equals("kit_skipped"), shapes, rules);
        PgOutputDecoder parsed = new PgOutputDecoder(t -> !t.name().equals("kit_skipped"), shapes, rules);

        long lsn = 0x1_0000_0000L;
        int[] keyedTypes = new int[2 + random.nextInt(COLUMN_TYPES.length)];
        int[] keylessTypes = new int[1 + random.nextInt(6)];
        keyedTypes[0] = 23;
        keyedTypes[1] = 1043;
        for (int i = 2; i < keyedTypes.length; i++) {
            keyedTypes[i] = COLUMN_TYPES[random.nextInt(COLUMN_TYPES.length - 1)];
        }
        for (int i = 0; i < keylessTypes.length; i++) {
            keylessTypes[i] = COLUMN_TYPES[random.nextInt(COLUMN_TYPES.length - (random.nextInt(10) == 0 ? 0 : 1))];
        }
        int[][] tables = {keyedTypes, keylessTypes};
        int[] oids = {KEYED, KEYLESS};
        feed(inPlace, parsed, lsn++, relation(KEYED, "kit_keyed", keyedTypes));
        feed(inPlace, parsed, lsn++, relation(KEYLESS, "kit_keyless", keylessTypes));
        int events = 0;
        int errors = 0;
        for (int tx = 0; tx < 3_000; tx++) {
            long commitLsn = lsn + 1_000;
            feed(inPlace, parsed, lsn++, begin(commitLsn, tx));
            for (int k = random.nextInt(6); k >= 0; k--) {
                int table = random.nextInt(2);
                byte[] message = change(random, oids[table], tables[table]);
                if (random.nextInt(60) == 0) {
                    message = random.nextBoolean() ? java.util.Arrays.copyOf(message, random.nextInt(message.length))
                            : java.util.Arrays.copyOf(message, message.length + 1 + random.nextInt(3));
                }
                if (message.length == 0) {
                    continue;
                }
                Outcome outcome = feed(inPlace, parsed, lsn++, message);
                events += outcome.events;
                errors += outcome.error ? 1 : 0;
            }
            feed(inPlace, parsed, commitLsn, commit(commitLsn));
            lsn = commitLsn + 1;
        }
        assertThat(events).as("seed %d", seed).isGreaterThan(3_000);
        assertThat(errors).as("seed %d", seed).isGreaterThan(30);
    }

    private record Outcome(int events, boolean error) {
    }

    private static Outcome feed(PgOutputDecoder inPlace, PgOutputDecoder parsed, long lsn, byte[] message) {
        List<ChangeEvent> expected = null;
        String expectedError = null;
        try {
            expected = parsed.decode(PgLsn.of(lsn), ByteBuffer.wrap(message).asReadOnlyBuffer());
        } catch (RuntimeException e) {
            expectedError = e.getClass().getName() + ": " + e.getMessage();
        }
        List<ChangeEvent> actual = null;
        String actualError = null;
        ByteBuffer buffer = ByteBuffer.wrap(message);
        try {
            actual = inPlace.decode(PgLsn.of(lsn), buffer);
            assertThat(buffer.hasRemaining()).isFalse();
        } catch (RuntimeException e) {
            actualError = e.getClass().getName() + ": " + e.getMessage();
        }
        String what = "message at " + PgLsn.of(lsn) + ": " + hex(message);
        assertThat(actualError).as(what).isEqualTo(expectedError);
        assertThat(actual).as(what).isEqualTo(expected);
        return new Outcome(expected == null ? 0 : expected.size(), expectedError != null);
    }

    private static byte[] change(Random random, int oid, int[] types) {
        return write(out -> {
            int kind = random.nextInt(3);
            out.writeByte("IUD".charAt(kind));
            out.writeInt(oid);
            if (kind == 0) {
                out.writeByte(random.nextInt(200) == 0 ? 'O' : 'N');
                tuple(out, random, types, random.nextInt(100) == 0);
            } else if (kind == 1) {
                int old = random.nextInt(20);
                if (old < 15) {
                    out.writeByte('O');
                    tuple(out, random, types, random.nextInt(100) == 0);
                } else if (old < 16) {
                    out.writeByte('K');
                    tuple(out, random, types, false);
                }
                out.writeByte('N');
                tuple(out, random, types, random.nextInt(4) == 0);
            } else {
                out.writeByte(random.nextInt(30) == 0 ? 'K' : 'O');
                tuple(out, random, types, random.nextInt(100) == 0);
            }
        });
    }

    private static void tuple(DataOutputStream out, Random random, int[] types, boolean toast) throws IOException {
        int count = random.nextInt(150) == 0 ? types.length + 1 - random.nextInt(2) * 2 : types.length;
        out.writeShort(count);
        for (int i = 0; i < count; i++) {
            int type = types[Math.min(i, types.length - 1)];
            int pick = random.nextInt(100);
            if (pick < 8 && i > 1) {
                out.writeByte('n');
            } else if (toast && pick < 30) {
                out.writeByte('u');
            } else if (pick == 99 && random.nextInt(4) == 0) {
                out.writeByte('b');
                out.writeInt(2);
                out.write(new byte[] {1, 2});
            } else {
                byte[] text = i == 0 ? key(random) : i == 1 ? code(random) : value(random, type);
                out.writeByte('t');
                out.writeInt(text.length);
                out.write(text);
            }
        }
    }

    /** A small key domain, so updates often keep their key and sometimes change it. */
    private static byte[] key(Random random) {
        return Integer.toString(random.nextInt(3)).getBytes(StandardCharsets.US_ASCII);
    }

    /** The second key column: equal bytes, equal text from different bytes (two invalid sequences), or not. */
    private static byte[] code(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> new byte[] {'x', (byte) 0xFF};
            case 1 -> new byte[] {'x', (byte) 0xFE};
            case 2 -> "é".getBytes(StandardCharsets.UTF_8);
            default -> "a".getBytes(StandardCharsets.UTF_8);
        };
    }

    private static byte[] value(Random random, int type) {
        if (random.nextInt(80) == 0) {
            return new byte[] {'z', (byte) 0xC3};
        }
        String text = switch (type) {
            case 23, 20 -> random.nextInt(50) == 0 ? "12x" : Integer.toString(random.nextInt() / 7);
            case 1700, 701 -> random.nextInt(50) == 0 ? "NaN" : (random.nextInt(2_000_000) - 1_000_000) + "."
                    + random.nextInt(100);
            case 16 -> random.nextBoolean() ? "t" : "f";
            case 1082 -> "2022-02-14";
            case 1114 -> "2022-01-29 01:58:52." + (1 + random.nextInt(999_999));
            case 1184 -> String.format("20%02d-%02d-%02d %02d:%02d:%02d.%d%s", random.nextInt(100),
                    1 + random.nextInt(12), 1 + random.nextInt(28), random.nextInt(24), random.nextInt(60),
                    random.nextInt(60), random.nextInt(1000), random.nextBoolean() ? "+00" : "-05:30");
            case 3802 -> "{\"a\": [1, \"" + TEXTS[random.nextInt(3)] + "\"]}";
            case 2950 -> new java.util.UUID(random.nextLong(), random.nextLong()).toString();
            case 17 -> "\\x" + Long.toHexString(random.nextLong());
            case 1007 -> "{1," + random.nextInt(9) + ",NULL}";
            case 1009 -> "{a,\"b c\",NULL}";
            case USER_TYPE -> "whatever";
            default -> TEXTS[random.nextInt(TEXTS.length)];
        };
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] relation(int oid, String name, int[] types) {
        return write(out -> {
            out.writeByte('R');
            out.writeInt(oid);
            cstring(out, "public");
            cstring(out, name);
            out.writeByte('f');
            out.writeShort(types.length);
            for (int i = 0; i < types.length; i++) {
                out.writeByte(i == 0 ? 1 : 0);
                cstring(out, i == 0 ? "id" : i == 1 ? "code" : "c" + i + (i % 5 == 0 ? "\"ü" : ""));
                out.writeInt(types[i]);
                out.writeInt(-1);
            }
        });
    }

    private static byte[] begin(long finalLsn, int xid) {
        return write(out -> {
            out.writeByte('B');
            out.writeLong(finalLsn);
            out.writeLong(849_398_400_000_000L + xid);
            out.writeInt(700 + xid);
        });
    }

    private static byte[] commit(long commitLsn) {
        return write(out -> {
            out.writeByte('C');
            out.writeByte(0);
            out.writeLong(commitLsn);
            out.writeLong(commitLsn + 0x30);
            out.writeLong(849_398_400_000_000L);
        });
    }

    private static void cstring(DataOutputStream out, String value) throws IOException {
        out.write(value.getBytes(StandardCharsets.UTF_8));
        out.writeByte(0);
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            body.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }
}
