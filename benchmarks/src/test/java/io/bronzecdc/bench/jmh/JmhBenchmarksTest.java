package io.bronzecdc.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.flink.source.CapturedChange;
import io.bronzecdc.model.bronze.BronzeRow;
import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.TableId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Runs each benchmark's setup and benchmark methods directly (no JMH, no fork) and checks what they compute, so a
 * benchmark cannot rot into measuring a failure or nothing. The micro-benchmarks themselves run with
 * {@link JmhMain}; no timing is asserted here.
 */
class JmhBenchmarksTest {
    private static final Blackhole BLACKHOLE = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    @Test
    void shouldEncodeAPaymentRowAsToJsonbDoes() throws SQLException {
        CanonicalEncodingBenchmark benchmark = encoding("payment");
        Object[] row = SampleTable.of("payment").rows().get(0);

        // to_jsonb of a payment row under TimeZone UTC
        String expected = "{\"payment_id\":16050,\"customer_id\":" + row[1] + ",\"staff_id\":" + row[2]
                + ",\"rental_id\":" + row[3] + ",\"amount\":" + row[4] + ",\"payment_date\":\""
                + utc((OffsetDateTime) row[5]) + "\"}";
        assertThat(expected).matches("\\{\"payment_id\":16050,\"customer_id\":\\d+,\"staff_id\":[12],"
                + "\"rental_id\":\\d+,\"amount\":\\d+\\.\\d\\d,"
                + "\"payment_date\":\"2022-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?\\+00:00\"}");
        assertThat(benchmark.snapshotResultSet()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"payment", "wide-24", "wide-96"})
    void shouldGiveTheSameFullRowFromTheResultSetJavaValuesAndPgoutputTextAndBytes(String table) throws SQLException {
        SampleTable sample = SampleTable.of(table);
        CanonicalEncodingBenchmark resultSet = encoding(table);
        CanonicalEncodingBenchmark javaValues = encoding(table);
        CanonicalEncodingBenchmark pgoutputText = encoding(table);
        CanonicalEncodingBenchmark pgoutputBytes = encoding(table);

        for (int r = 0; r < SampleTable.ROWS; r++) {
            String expected = sample.canonical(sample.rows().get(r), false);
            assertThat(resultSet.snapshotResultSet()).as("row %d through the result set", r).isEqualTo(expected);
            assertThat(javaValues.javaValues()).as("row %d from Java values", r).isEqualTo(expected);
            assertThat(pgoutputText.pgoutputText()).as("row %d from pgoutput text", r).isEqualTo(expected);
            assertThat(pgoutputBytes.pgoutputBytes()).as("row %d from pgoutput UTF-8", r).isEqualTo(expected);
        }
    }

    @Test
    void shouldBuildWideRowsOfEveryTypeWithNullsQuotesAndUnicode() {
        SampleTable wide = SampleTable.of("wide-96");
        String rows = IntStream.range(0, SampleTable.ROWS).mapToObj(r -> wide.canonical(wide.rows().get(r), false))
                .collect(Collectors.joining("\n"));

        assertThat(wide.types()).containsAll(List.of(SampleType.values()));
        assertThat(rows).contains(":null", "O'Brien", "\\\"hi\\\"", "back\\\\slash", "tab\\there", "line\\nbreak",
                "日本語", "🚀", "\"nested\": {\"ok\": ", "\":\"\\\\x", "_int4_array\":[", "_text_array\":[");
        assertThat(rows.lines()).hasSize(SampleTable.ROWS).allMatch(row -> row.startsWith("{\"id\":1"));
    }

    @Test
    void shouldRefuseAnUnknownSampleTable() {
        assertThatThrownBy(() -> SampleTable.of("wide-1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sample table 'wide-1'").hasMessageContaining("wide-24");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 10, 1000})
    void shouldDecodeEveryChangeOfTheStreamWithItsFullRow(int rowsPerTransaction) {
        for (String table : List.of("payment", "wide-24")) {
            SampleTable sample = SampleTable.of(table);
            PgOutputDecodingBenchmark benchmark = new PgOutputDecodingBenchmark();
            benchmark.table = table;
            benchmark.rowsPerTransaction = rowsPerTransaction;
            benchmark.setUp();
            int transactions = PgOutputDecodingBenchmark.CHANGES / rowsPerTransaction;

            assertThat(benchmark.decode(BLACKHOLE)).isEqualTo(PgOutputDecodingBenchmark.CHANGES);
            assertThat(benchmark.decode(BLACKHOLE)).as("the same stream again")
                    .isEqualTo(PgOutputDecodingBenchmark.CHANGES);
            assertThat(benchmark.decodeViaParser(BLACKHOLE)).isEqualTo(PgOutputDecodingBenchmark.CHANGES);
            assertThat(benchmark.parse(BLACKHOLE)).isEqualTo(PgOutputDecodingBenchmark.CHANGES + 2 * transactions);

            List<ChangeEvent> events = new ArrayList<>();
            List<ChangeEvent> viaParser = new ArrayList<>();
            for (int i = 0; i < benchmark.messages.length; i++) {
                events.addAll(benchmark.decoder.decode(benchmark.lsns[i], benchmark.messages[i].rewind()));
            }
            for (int i = 0; i < benchmark.messages.length; i++) {
                viaParser.addAll(benchmark.decoder.decode(benchmark.lsns[i], benchmark.readOnlyMessages[i].rewind()));
            }
            assertThat(viaParser).as("the parser's path gives the same events").isEqualTo(events);
            assertThat(events).hasSize(PgOutputDecodingBenchmark.CHANGES);
            assertThat(events.stream().map(e -> e.position().txId()).distinct()).hasSize(transactions);
            for (int k = 0; k < events.size(); k++) {
                ChangeEvent event = events.get(k);
                assertThat(event.op().code()).as("change %d", k).isEqualTo(ChangeMix.of(k).op());
                assertThat(event.fullRow()).as("change %d", k).isEqualTo(sample.canonical(sample.newValues(k), false));
                assertThat(event.table()).isEqualTo(sample.table());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"payment", "wide-24", "wide-96"})
    void shouldTurnEveryDebeziumRecordIntoItsChange(String table) {
        SampleTable sample = SampleTable.of(table);
        DebeziumDeserializingBenchmark benchmark = new DebeziumDeserializingBenchmark();
        benchmark.table = table;
        benchmark.setUp();

        for (int k = 0; k < DebeziumDeserializingBenchmark.RECORDS; k++) {
            CapturedChange change = benchmark.deserialize(BLACKHOLE);
            assertThat(change.op()).as("record %d", k).isEqualTo(ChangeMix.of(k).op());
            assertThat(change.fullRow()).as("record %d", k).isEqualTo(sample.canonical(sample.newValues(k), true));
            assertThat(change.txId()).isEqualTo(750 + k / 10);
            assertThat(change.indexInTransaction()).isEqualTo(k % 10);
            assertThat(change.table()).isEqualTo(sample.table().toString());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 16})
    void shouldSequenceEveryTableDensely(int tables) {
        SequencingBenchmark benchmark = new SequencingBenchmark();
        benchmark.tables = tables;
        benchmark.setUp();

        List<BronzeRow> rows = benchmark.assign();

        assertThat(rows).hasSize(SequencingBenchmark.CHANGES);
        Map<TableId, List<Long>> lsnsByTable = new HashMap<>();
        rows.forEach(row -> lsnsByTable.computeIfAbsent(row.change().table(), t -> new ArrayList<>()).add(row.lsn()));
        assertThat(lsnsByTable).hasSize(tables);
        lsnsByTable.values().forEach(lsns -> assertThat(lsns)
                .isEqualTo(IntStream.rangeClosed(1, lsns.size()).mapToObj(i -> (long) i).toList()));
        assertThat(benchmark.assign()).as("a new sequencer each call").isEqualTo(rows);
    }

    @ParameterizedTest
    @ValueSource(strings = {"payment", "wide-96"})
    void shouldEncodeEveryRowAsOneCopyLineWhoseFullRowReadsBack(String table) {
        CopyRowsBenchmark benchmark = new CopyRowsBenchmark();
        benchmark.table = table;
        benchmark.setUp();

        String copy = new String(benchmark.encode(), StandardCharsets.UTF_8);

        assertThat(new String(benchmark.encode(), StandardCharsets.UTF_8)).as("the buffer is cleared").isEqualTo(copy);
        List<String> lines = copy.lines().toList();
        assertThat(lines).hasSize(CopyRowsBenchmark.ROWS);
        for (int k = 0; k < lines.size(); k++) {
            String[] fields = lines.get(k).split("\t", -1);
            assertThat(fields).as("line %d", k).hasSize(6);
            assertThat(fields[0]).isEqualTo(String.valueOf(k + 1));
            assertThat(fields[1]).isEqualTo(String.valueOf(ChangeMix.of(k).op()));
            assertThat(unescape(fields[2])).isEqualTo(benchmark.rows[k].fullRow());
            assertThat(fields[4]).isEqualTo(String.valueOf(750 + k / 10));
            assertThat(fields[5]).startsWith("2025-12-01T00:00:");
        }
        if (table.startsWith("wide")) {
            assertThat(copy).as("JSON escapes doubled").contains("tab\\\\there", "line\\\\nbreak");
        }
    }

    @Test
    void shouldListEveryBenchmarkInJmhsBenchmarkList() throws IOException {
        String list;
        try (InputStream in = JmhMain.class.getResourceAsStream("/META-INF/BenchmarkList")) {
            assertThat(in).as("JMH's annotation processor writes META-INF/BenchmarkList").isNotNull();
            list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String method : List.of("CanonicalEncodingBenchmark.snapshotResultSet",
                "CanonicalEncodingBenchmark.javaValues", "CanonicalEncodingBenchmark.pgoutputText",
                "CanonicalEncodingBenchmark.pgoutputBytes",
                "PgOutputDecodingBenchmark.decode", "PgOutputDecodingBenchmark.decodeViaParser",
                "PgOutputDecodingBenchmark.parse",
                "DebeziumDeserializingBenchmark.deserialize", "SequencingBenchmark.assign",
                "CopyRowsBenchmark.encode")) {
            assertThat(list).contains("io.bronzecdc.bench.jmh.jmh_generated." + method.replace('.', '_') + "_jmhTest");
        }
    }

    @Test
    void shouldRunEveryBenchmarkHereAndStopOnAFailureUnlessToldOtherwise() {
        assertThat(JmhMain.withDefaults(new String[0])).containsExactly("-foe", "true", JmhMain.ALL);
        assertThat(JmhMain.withDefaults(new String[] {"-f", "1", "Sequencing"}))
                .containsExactly("-foe", "true", "-f", "1", "Sequencing");
        assertThat(JmhMain.withDefaults(new String[] {"-foe", "false", "-wi", "1"}))
                .containsExactly("-foe", "false", "-wi", "1", JmhMain.ALL);
        assertThat(JmhMain.withDefaults(new String[] {"-nonsense"})).containsExactly("-nonsense");
    }

    /** {@code 2022-03-05T12:34:56.1234+00:00}: to_jsonb's form of a timestamptz under TimeZone UTC. */
    private static String utc(OffsetDateTime t) {
        String fraction = String.format(Locale.ROOT, ".%06d", t.getNano() / 1_000).replaceAll("\\.?0+$", "");
        return DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss", Locale.ROOT).format(t) + fraction + "+00:00";
    }

    private static CanonicalEncodingBenchmark encoding(String table) {
        CanonicalEncodingBenchmark benchmark = new CanonicalEncodingBenchmark();
        benchmark.table = table;
        benchmark.setUp();
        return benchmark;
    }

    /** COPY text format's escapes back to the text. */
    private static String unescape(String field) {
        StringBuilder sb = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char next = field.charAt(++i);
            sb.append(switch (next) {
                case 't' -> '\t';
                case 'n' -> '\n';
                case 'r' -> '\r';
                default -> next;
            });
        }
        return sb.toString();
    }
}
