package io.bronzecdc.model.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.Op;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.SourcePosition;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.event.UpdateRule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Reads the fixtures {@code PgOutputFixtureCapture} (testkit module) recorded, and compares JSON as the server
 * would.
 */
final class CapturedStream {
    /** Exact decimals: 1.50 and 1.5 differ, as they do in jsonb text. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    /** The primary keys of the fixtures' tables, as their DDL declares them (capture-schema.sql, Pagila). */
    private static final Map<String, List<String>> KEYS = Map.of("customer", List.of("customer_id"),
            "payment", List.of("payment_date", "payment_id"), "rental", List.of("rental_id"));

    private CapturedStream() {
    }

    /**
     * The update rule of a fixture table: Pagila's keys, {@code id} for the others (codec_golden, pgo_*, and the
     * tables tests announce themselves).
     */
    static UpdateRule rule(TableId table) {
        return new UpdateRule(KEYS.getOrDefault(table.name(), List.of("id")));
    }

    /** One row of the slot function: its lsn and xid columns and its data. */
    record Message(PgLsn lsn, long xid, byte[] data) {
        ByteBuffer buffer() {
            return ByteBuffer.wrap(data);
        }

        char kind() {
            return (char) data[0];
        }
    }

    /** One expected change: what the server said about the row, and where the change sits. */
    record Expected(Op op, TableId table, SourcePosition position, String json) {
    }

    static List<Message> messages(String scenario) {
        List<Message> messages = new ArrayList<>();
        for (String line : lines(scenario + ".pgoutput")) {
            String[] parts = line.split(" ");
            messages.add(new Message(PgLsn.parse(parts[0]), Long.parseLong(parts[1]),
                    HexFormat.of().parseHex(parts[2])));
        }
        return messages;
    }

    static List<Expected> expected(String scenario) {
        List<Expected> expected = new ArrayList<>();
        for (String line : lines(scenario + ".expected")) {
            String[] f = line.split("\\|", 8);
            expected.add(new Expected(Op.fromCode(f[0].charAt(0)), TableId.parse(f[1]),
                    // The fixture records the index of the change message; the decoder's position is twice that.
                    SourcePosition.streamed(PgLsn.parse(f[2]), PgLsn.parse(f[3]), 2 * Long.parseLong(f[4]),
                            Long.parseLong(f[5]), Instant.parse(f[6])), f[7]));
        }
        return expected;
    }

    /** Decodes every message of a scenario, in order, from its bytes. */
    static List<ChangeEvent> decodeAll(PgOutputDecoder decoder, List<Message> messages) {
        List<ChangeEvent> events = new ArrayList<>();
        for (Message m : messages) {
            events.addAll(decoder.decode(m.lsn(), m.buffer()));
        }
        return events;
    }

    /** Asserts the events equal the expectations: op, table, position, and payload as JSON (exact numbers). */
    static void assertEvents(List<ChangeEvent> events, List<Expected> expected) {
        assertThat(events).hasSameSizeAs(expected);
        for (int i = 0; i < events.size(); i++) {
            ChangeEvent event = events.get(i);
            Expected e = expected.get(i);
            String at = "change " + i + " (" + e.op() + " " + e.table() + ")";
            assertThat(event.op()).as(at).isEqualTo(e.op());
            assertThat(event.table()).as(at).isEqualTo(e.table());
            assertThat(event.position()).as(at).isEqualTo(e.position());
            assertThat(tree(event.fullRow())).as(at + " payload " + event.fullRow()).isEqualTo(tree(e.json()));
        }
    }

    /**
     * The JSON in a normal form to compare as jsonb text does: object keys sorted, numbers with their exact
     * digits (1.50 differs from 1.5; 1e-07 equals 0.0000001, as jsonb stores both as the same numeric). Jackson's
     * own {@code JsonNode.equals} ignores the scale of decimals, so it is not used.
     */
    static String tree(String json) {
        try {
            StringBuilder out = new StringBuilder(json.length());
            normalize(JSON.readTree(json), out);
            return out.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
    }

    private static void normalize(JsonNode node, StringBuilder out) throws IOException {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            out.append('{');
            for (String name : names) {
                out.append(JSON.writeValueAsString(name)).append(':');
                normalize(node.get(name), out);
                out.append(',');
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            for (JsonNode element : node) {
                normalize(element, out);
                out.append(',');
            }
            out.append(']');
        } else if (node.isNumber()) {
            out.append(node.isIntegralNumber() ? node.bigIntegerValue().toString() : node.decimalValue().toString());
        } else {
            out.append(JSON.writeValueAsString(node));
        }
    }

    private static List<String> lines(String resource) {
        try (InputStream in = CapturedStream.class.getResourceAsStream(resource)) {
            assertThat(in).as("test resource " + resource).isNotNull();
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.lines().filter(line -> !line.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
