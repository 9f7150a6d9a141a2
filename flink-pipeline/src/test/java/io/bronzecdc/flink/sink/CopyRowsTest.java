package io.bronzecdc.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CopyRowsTest {
    private static final String ALPHABET = "ab{}\":,09 \\\t\n\ré€\uD83D\uDE00\u0000/";

    @Test
    void shouldWriteEachRowAsOneCopyTextLine() {
        CopyRows rows = new CopyRows();

        rows.add(1, 'I', "{\"a\":\"tab\\there\"}", 0x1_0000_2000L, false, 4711, 1_764_547_200_123L);
        rows.add(2, 'D', "{\"b\":\"é\tx\ny\rz\\\\\"}", 0x1_0000_2100L, false, 4711, 1_764_547_200_123L);
        rows.add(3, 'U', "{}", 0x1_0000_2200L, false, Long.MAX_VALUE, 1_764_547_201_000L);
        rows.add(4, 'I', "{\"c\":1}", 0x5000, true, -1, -1);

        assertThat(text(rows)).isEqualTo(
                "1\tI\t{\"a\":\"tab\\\\there\"}\t4294975488\t4711\t2025-12-01T00:00:00.123Z\n"
                        + "2\tD\t{\"b\":\"é\\tx\\ny\\rz\\\\\\\\\"}\t4294975744\t4711\t2025-12-01T00:00:00.123Z\n"
                        + "3\tU\t{}\t4294976000\t9223372036854775807\t2025-12-01T00:00:01Z\n"
                        + "4\tI\t{\"c\":1}\t20480\t\\N\t\\N\n");
    }

    @Test
    void shouldEncodeAnyTextAsTheCharacterByCharacterEscapeDoes() {
        long seed = new Random().nextLong();
        System.out.println("CopyRowsTest seed " + seed);
        Random random = new Random(seed);
        CopyRows rows = new CopyRows();
        StringBuilder expected = new StringBuilder();
        for (int k = 0; k < 2_000; k++) {
            StringBuilder json = new StringBuilder();
            int length = random.nextInt(k % 100 == 0 ? 5_000 : 200);
            while (json.length() < length) {
                int at = random.nextInt(ALPHABET.length());
                char c = ALPHABET.charAt(at);
                json.append(c);
                if (Character.isHighSurrogate(c)) {
                    json.append(ALPHABET.charAt(at + 1));
                }
            }
            long lsn = 1 + k;
            long sourceLsn = random.nextLong() & Long.MAX_VALUE;
            long txId = random.nextInt(Integer.MAX_VALUE);
            long commitMillis = 1_764_547_200_000L + random.nextInt(5) * 1_000L + random.nextInt(3);
            boolean snapshot = random.nextInt(10) == 0;
            char op = "IUD".charAt(random.nextInt(3));
            rows.add(lsn, op, json.toString(), sourceLsn, snapshot, txId, commitMillis);
            expected.append(lsn).append('\t').append(op).append('\t').append(escapedByChar(json.toString()))
                    .append('\t').append(sourceLsn).append('\t')
                    .append(snapshot ? "\\N\t\\N" : txId + "\t" + Instant.ofEpochMilli(commitMillis)).append('\n');
        }

        // as bytes: a lone surrogate becomes '?' in UTF-8, as it did before
        assertThat(rows.buffer()).as("seed %d", seed).isEqualTo(expected.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldKeepTheArrivingRowsWhenTheDoneOnesAreDropped() {
        CopyRows rows = new CopyRows();
        rows.add(1, 'I', "{\"x\":1}", 10, false, 7, 1_764_547_200_000L);
        rows.add(2, 'I', "{\"x\":2}", 11, false, 7, 1_764_547_200_000L);
        rows.markDone();
        rows.add(3, 'U', "{\"x\":3}", 12, false, 8, 1_764_547_200_001L);

        assertThat(rows.doneSize()).isEqualTo(2 * "1\tI\t{\"x\":1}\t10\t7\t2025-12-01T00:00:00Z\n".length());
        rows.dropDone();

        assertThat(text(rows)).isEqualTo("3\tU\t{\"x\":3}\t12\t8\t2025-12-01T00:00:00.001Z\n");
    }

    /** The escape as the sink wrote it before it worked on bytes: char by char, then UTF-8. */
    private static String escapedByChar(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String text(CopyRows rows) {
        return new String(rows.buffer(), StandardCharsets.UTF_8);
    }
}
