package io.bronzecdc.model.pgoutput;

import static io.bronzecdc.model.pgoutput.CapturedStream.assertEvents;
import static io.bronzecdc.model.pgoutput.CapturedStream.decodeAll;
import static io.bronzecdc.model.pgoutput.CapturedStream.expected;
import static io.bronzecdc.model.pgoutput.CapturedStream.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.codec.PgType;
import io.bronzecdc.model.codec.TypeShapes;
import io.bronzecdc.model.codec.ValueShape;
import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.Op;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableEvent;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.event.UpdateRule;
import io.bronzecdc.model.pgoutput.CapturedStream.Expected;
import io.bronzecdc.model.pgoutput.CapturedStream.Message;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** Decodes pgoutput bytes captured from PostgreSQL 17 (see {@code PgOutputFixtureCapture} in the testkit module). */
class PgOutputDecoderTest {
    private static final Set<TableId> PAGILA = Set.of(TableId.of("customer"), TableId.of("payment"),
            TableId.of("rental"));
    /**
     * tsvector is not in the built-in table and the enum mpaa_rating (OID 16462 in the fixtures) is user-defined:
     * the caller resolves both, as PgTypeCatalog would.
     */
    private static final TypeShapes RESOLVER = oid -> oid == 16462
            ? new ValueShape.Scalar("public.mpaa_rating", PgType.OTHER)
            : TypeShapes.byName(o -> o == 3614 ? "tsvector" : null).shapeOf(oid);

    @Test
    void shouldCompareJsonAsJsonbDoes() {
        assertThat(CapturedStream.tree("{\"a\": 1.50, \"b\": [1, null]}"))
                .isEqualTo(CapturedStream.tree("{\"b\":[1,null],\"a\":1.50}"))
                .isNotEqualTo(CapturedStream.tree("{\"a\": 1.5, \"b\": [1, null]}"));
    }

    @Test
    void shouldDecodeEveryTypeExactlyAsToJsonb() {
        PgOutputDecoder decoder = new PgOutputDecoder(
                Set.of(TableId.of("codec_golden"), TableId.of("pgo_extra"))::contains, RESOLVER, CapturedStream::rule);

        assertEvents(decodeAll(decoder, messages("all-types")), expected("all-types"));
        assertThat(decoder.inTransaction()).isFalse();
    }

    @Test
    void shouldDecodeMixedTransactionsInCommitOrderWithTheirPositions() {
        List<Expected> kept = expected("mixed").stream().filter(e -> PAGILA.contains(e.table())).toList();

        List<ChangeEvent> events = decodeAll(new PgOutputDecoder(PAGILA::contains, RESOLVER, CapturedStream::rule), messages("mixed"));

        assertEvents(events, kept);
        // The skipped pgo_noise changes still count in the transaction: customer, [noise], rental, payment, ...
        assertThat(events.stream().limit(3).map(e -> e.position().indexInTransaction())).containsExactly(0L, 4L, 6L);
        // The cross-partition update arrives as D and I of the root table.
        assertThat(events.subList(events.size() - 2, events.size())).extracting(ChangeEvent::op, ChangeEvent::table)
                .containsExactly(Tuple.tuple(Op.DELETE, TableId.of("payment")),
                        Tuple.tuple(Op.INSERT, TableId.of("payment")));
    }

    @Test
    void shouldGiveEachCopiedRowItsOwnIndexThoughTheyShareOneWalRecord() {
        List<ChangeEvent> copied = decodeAll(new PgOutputDecoder(PAGILA::contains, RESOLVER, CapturedStream::rule), messages("mixed"))
                .stream().filter(e -> e.position().txId() == 754).toList();

        assertThat(copied).hasSize(3);
        assertThat(copied).extracting(e -> e.position().changeLsn()).containsOnly(copied.get(0).position().changeLsn());
        assertThat(copied).extracting(e -> e.position().indexInTransaction()).containsExactly(0L, 2L, 4L);
        assertThat(copied.get(0).position().isBefore(copied.get(1).position())).isTrue();
    }

    @Test
    void shouldFillAnUnchangedToastValueFromTheFullOldRow() {
        List<Message> messages = messages("toast");
        PgOutputMessage.Update update = (PgOutputMessage.Update) messages.stream()
                .filter(m -> m.kind() == 'U').map(m -> PgOutputParser.parse(m.buffer())).findFirst().orElseThrow();
        assertThat(update.newTuple().get(1)).as("the fixture must carry the marker").isEqualTo(TupleValue.UNCHANGED_TOAST);
        assertThat(update.oldTuple().keyOnly()).isFalse();

        List<ChangeEvent> events = decodeAll(new PgOutputDecoder(t -> true, RESOLVER, CapturedStream::rule), messages);

        assertEvents(events, expected("toast"));
        assertThat(events.get(1).fullRow()).contains("\"big\":\"" + "c4ca4238a0b923820dcc509a6f75849b"); // md5(1)
        assertThat(CapturedStream.tree(events.get(1).fullRow()).length()).isGreaterThan(10_240);
    }

    @Test
    void shouldRefuseAnUpdateWhoseUnchangedToastValueHasNoOldRow() {
        PgOutputDecoder decoder = new PgOutputDecoder(t -> true, RESOLVER, CapturedStream::rule);

        assertThatThrownBy(() -> decodeAll(decoder, messages("identity-default-update")))
                .isInstanceOf(ContractViolationException.class)
                .hasMessageContaining("public.pgo_default: UPDATE at 0/")
                .hasMessageContaining("column big")
                .hasMessageContaining("unchanged-TOAST marker")
                .hasMessageContaining("no old row to fill it from (replica identity DEFAULT)")
                .hasMessageContaining("Fix: ALTER TABLE public.pgo_default REPLICA IDENTITY FULL")
                .hasMessageContaining("each partition")
                .hasMessageContaining("cannot be captured whole from this slot")
                .hasMessageContaining("rebuild the pipeline from a new snapshot (bronze-cdc drop --config");
    }

    @Test
    void shouldRefuseADeleteThatCarriesOnlyTheKey() {
        PgOutputDecoder decoder = new PgOutputDecoder(t -> true, RESOLVER, CapturedStream::rule);

        assertThatThrownBy(() -> decodeAll(decoder, messages("identity-default-delete")))
                .isInstanceOf(ContractViolationException.class)
                .hasMessageContaining("public.pgo_default: DELETE at 0/")
                .hasMessageContaining("found only the key columns (kind 'K', replica identity DEFAULT)")
                .hasMessageContaining("before-image would be incomplete")
                .hasMessageContaining("Fix: ALTER TABLE public.pgo_default REPLICA IDENTITY FULL")
                .hasMessageContaining("rebuild the pipeline from a new snapshot");
    }

    @Test
    void shouldRefuseATruncateOfAKeptTable() {
        PgOutputDecoder decoder = new PgOutputDecoder(t -> true, RESOLVER, CapturedStream::rule);

        assertThatThrownBy(() -> decodeAll(decoder, messages("truncate")))
                .isInstanceOf(ContractViolationException.class)
                .hasMessageContaining("public.pgo_truncated: TRUNCATE at 0/")
                .hasMessageContaining("cannot be captured as row changes");
    }

    @Test
    void shouldHandATruncateOfAKeptTableToTheEventSinkInsteadOfRefusingIt() {
        List<TableEvent> events = new ArrayList<>();
        PgOutputDecoder decoder = new PgOutputDecoder(t -> true, RESOLVER, CapturedStream::rule, events::add);

        List<ChangeEvent> changes = decodeAll(decoder, messages("truncate"));
        assertThat(changes).hasSize(1); // the fixture inserts a row before it truncates
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(changes.get(0).position().isBefore(event.position())).as("the row before the truncate").isTrue();
            assertThat(event.table()).isEqualTo(TableId.of("pgo_truncated"));
            assertThat(event.kind()).isEqualTo(TableEvent.Kind.TRUNCATE);
            assertThat(event.position().snapshot()).isFalse();
        });
    }

    @Test
    void shouldTurnASchemaChangeMessageOfAKeptTableIntoAnEventAndIgnoreOtherMessages() {
        List<TableEvent> events = new ArrayList<>();
        PgOutputDecoder decoder = new PgOutputDecoder(TableId.of("t")::equals, RESOLVER, CapturedStream::rule, events::add);
        PgLsn commit = PgLsn.parse("0/1000");
        decoder.decode(commit, new PgOutputMessage.Begin(commit, Instant.parse("2026-12-01T00:00:00Z"), 7));
        String json = "{\"event\": \"schema_change\", \"schema\": \"public\", \"table\": \"%s\","
                + " \"command_tag\": \"ALTER TABLE\", \"ddl\": \"ALTER TABLE %1$s DROP COLUMN b\","
                + " \"columns_before\": [{\"name\": \"a\", \"type\": \"integer\", \"attnum\": 1},"
                + " {\"name\": \"b\", \"type\": \"text\", \"attnum\": 2}],"
                + " \"columns\": [{\"name\": \"a\", \"type\": \"integer\", \"attnum\": 1}]}";
        for (String content : List.of(json.formatted("t"), json.formatted("other"), "micro-batch bound 0/F00")) {
            decoder.decode(PgLsn.parse("0/F10"), new PgOutputMessage.LogicalMessage(1, PgLsn.parse("0/F10"),
                    "bronze-cdc", ByteBuffer.wrap(content.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        }
        decoder.decode(commit, new PgOutputMessage.Commit(0, commit, PgLsn.parse("0/1010"),
                Instant.parse("2026-12-01T00:00:00Z")));

        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.table()).isEqualTo(TableId.of("t"));
            assertThat(event.kind()).isEqualTo(TableEvent.Kind.SCHEMA_CHANGE);
            assertThat(event.ddl()).isEqualTo("ALTER TABLE t DROP COLUMN b");
            assertThat(event.columnsBefore()).contains("\"b\"");
            assertThat(event.columns()).doesNotContain("\"b\"");
            assertThat(event.position().commitLsn()).isEqualTo(commit);
            assertThat(event.position().txId()).isEqualTo(7L);
        });
    }

    @Test
    void shouldSkipTheTruncateAndChangesOfTablesNotKept() {
        PgOutputDecoder decoder = new PgOutputDecoder(PAGILA::contains, RESOLVER, CapturedStream::rule);

        assertThat(decodeAll(decoder, messages("truncate"))).isEmpty();
        assertThat(decodeAll(decoder, messages("identity-default-delete"))).isEmpty();
        assertThat(decoder.inTransaction()).isFalse();
    }

    @Test
    void shouldSkipChangesOfTablesNotKeptWithoutReadingTheirRows() {
        PgOutputDecoder decoder = new PgOutputDecoder(PAGILA::contains, RESOLVER, CapturedStream::rule);
        List<Message> messages = messages("mixed");
        decoder.decode(PgLsn.of(1), messages.get(0).buffer());
        decoder.decode(PgLsn.of(2), messages.get(3).buffer()); // Relation pgo_noise
        int noiseOid = ((PgOutputMessage.Relation) PgOutputParser.parse(messages.get(3).buffer())).oid();
        ByteBuffer garbage = ByteBuffer.allocate(9).put((byte) 'I').putInt(noiseOid).putInt(0xDEADBEEF).flip();

        assertThat(decoder.decode(PgLsn.of(3), garbage)).isEmpty();
    }

    @Test
    void shouldDecodeTheSameFromParsedMessagesAsFromBytes() {
        List<Message> messages = messages("mixed");
        PgOutputDecoder fromBytes = new PgOutputDecoder(PAGILA::contains, RESOLVER, CapturedStream::rule);
        PgOutputDecoder fromRecords = new PgOutputDecoder(PAGILA::contains, RESOLVER, CapturedStream::rule);

        for (Message m : messages) {
            assertThat(fromRecords.decode(m.lsn(), PgOutputParser.parse(m.buffer())))
                    .isEqualTo(fromBytes.decode(m.lsn(), m.buffer()));
        }
    }

    @Test
    void shouldRefuseAChangeOutsideATransaction() {
        List<Message> messages = messages("mixed");
        PgOutputDecoder decoder = new PgOutputDecoder(PAGILA::contains, RESOLVER, CapturedStream::rule);
        decoder.decode(messages.get(1).lsn(), messages.get(1).buffer()); // Relation customer, no Begin

        assertThatThrownBy(() -> decoder.decode(messages.get(2).lsn(), messages.get(2).buffer()))
                .isInstanceOf(ContractViolationException.class)
                .hasMessageContaining("public.customer: pgoutput change 'I' arrived outside a transaction");
    }

    @Test
    void shouldRefuseAChangeOfARelationNeverAnnounced() {
        List<Message> messages = messages("mixed");
        PgOutputDecoder decoder = new PgOutputDecoder(PAGILA::contains, RESOLVER, CapturedStream::rule);
        decoder.decode(messages.get(0).lsn(), messages.get(0).buffer()); // Begin

        assertThatThrownBy(() -> decoder.decode(messages.get(2).lsn(), messages.get(2).buffer()))
                .isInstanceOf(ContractViolationException.class)
                .hasMessageContaining("refers to relation OID 16386, but no Relation message announced it")
                .hasMessageContaining("feed the decoder every message of the session from its start");
    }

    @Test
    void shouldRefuseAnUpdateOfAKeylessTableWithoutItsOldRow() {
        PgOutputDecoder decoder = new PgOutputDecoder(t -> true, RESOLVER, t -> UpdateRule.keyless());
        decoder.decode(PgLsn.of(1), new PgOutputMessage.Begin(PgLsn.of(100), Instant.EPOCH, 7));
        decoder.decode(PgLsn.of(2), new PgOutputMessage.Relation(42, "public", "kl_nothing", 'n', List.of(
                new PgOutputMessage.Relation.Column(0, "v", 23, -1))));
        PgOutputMessage update = new PgOutputMessage.Update(42, null, new TupleData(List.of(new TupleValue.Text("2"))));

        assertThatThrownBy(() -> decoder.decode(PgLsn.of(3), update))
                .isInstanceOf(ContractViolationException.class)
                .hasMessageContaining("public.kl_nothing: UPDATE at 0/3 (tx 7, commit 0/64): the table has no primary"
                        + " key")
                .hasMessageContaining("the server sent no old row (replica identity NOTHING)")
                .hasMessageContaining("Fix: ALTER TABLE public.kl_nothing REPLICA IDENTITY FULL");
    }

    @Test
    void shouldSplitAnUpdateThatChangesTheKeyIntoAdjacentDeleteAndInsert() {
        PgOutputDecoder decoder = new PgOutputDecoder(t -> true, RESOLVER, t -> new UpdateRule(List.of("id")));
        decoder.decode(PgLsn.of(1), new PgOutputMessage.Begin(PgLsn.of(100), Instant.EPOCH, 7));
        decoder.decode(PgLsn.of(2), new PgOutputMessage.Relation(42, "public", "k", 'f', List.of(
                new PgOutputMessage.Relation.Column(1, "id", 23, -1), new PgOutputMessage.Relation.Column(1, "v", 25, -1))));
        PgOutputMessage.OldTuple old = new PgOutputMessage.OldTuple(false,
                new TupleData(List.of(new TupleValue.Text("1"), new TupleValue.Text("a"))));
        List<ChangeEvent> sameKey = decoder.decode(PgLsn.of(3), new PgOutputMessage.Update(42, old,
                new TupleData(List.of(new TupleValue.Text("1"), new TupleValue.Text("b")))));
        List<ChangeEvent> newKey = decoder.decode(PgLsn.of(4), new PgOutputMessage.Update(42, old,
                new TupleData(List.of(new TupleValue.Text("2"), new TupleValue.Text("a")))));
        List<ChangeEvent> next = decoder.decode(PgLsn.of(5), new PgOutputMessage.Insert(42,
                new TupleData(List.of(new TupleValue.Text("3"), TupleValue.NULL))));

        assertThat(sameKey).extracting(e -> e.op().code() + e.fullRow() + "#" + e.position().indexInTransaction())
                .containsExactly("U{\"id\":1,\"v\":\"b\"}#0");
        assertThat(newKey).extracting(e -> e.op().code() + e.fullRow() + "#" + e.position().indexInTransaction())
                .containsExactly("D{\"id\":1,\"v\":\"a\"}#2", "I{\"id\":2,\"v\":\"a\"}#3");
        assertThat(next).extracting(e -> e.position().indexInTransaction()).containsExactly(4L);
    }

    @Test
    void shouldRefuseABinaryValue() {
        PgOutputDecoder decoder = new PgOutputDecoder(t -> true, RESOLVER, CapturedStream::rule);
        decoder.decode(PgLsn.of(1), new PgOutputMessage.Begin(PgLsn.of(100), Instant.EPOCH, 7));
        decoder.decode(PgLsn.of(2), new PgOutputMessage.Relation(42, "public", "b_table", 'f', List.of(
                new PgOutputMessage.Relation.Column(1, "id", 23, -1))));
        PgOutputMessage insert = new PgOutputMessage.Insert(42, new TupleData(List.of(
                new TupleValue.Binary(ByteBuffer.wrap(new byte[] {0, 0, 0, 1})))));

        assertThatThrownBy(() -> decoder.decode(PgLsn.of(3), insert))
                .isInstanceOf(ContractViolationException.class)
                .hasMessageContaining("public.b_table: INSERT at 0/3 (tx 7, commit 0/64), column id: expected a text"
                        + " value but found kind 'b'")
                .hasMessageContaining("do not pass the 'binary' option");
    }

    @Test
    void shouldRefuseATypeNobodyCanName() {
        PgOutputDecoder decoder = new PgOutputDecoder(t -> true, oid -> null, CapturedStream::rule);
        PgOutputMessage relation = new PgOutputMessage.Relation(42, "public", "odd", 'f', List.of(
                new PgOutputMessage.Relation.Column(0, "shape", 600_000, -1)));

        assertThatThrownBy(() -> decoder.decode(PgLsn.of(1), relation))
                .isInstanceOf(ContractViolationException.class)
                .hasMessageContaining("public.odd.shape: type OID 600000 is not built in and the type resolver does"
                        + " not know it")
                .hasMessageContaining("io.bronzecdc.model.source.PgTypeCatalog");
    }

    @Test
    void shouldRefuseACommitThatDoesNotCloseTheOpenTransaction() {
        PgOutputDecoder decoder = new PgOutputDecoder(t -> true, RESOLVER, CapturedStream::rule);
        decoder.decode(PgLsn.of(1), new PgOutputMessage.Begin(PgLsn.of(100), Instant.EPOCH, 7));
        PgOutputMessage commit = new PgOutputMessage.Commit(0, PgLsn.of(200), PgLsn.of(208), Instant.EPOCH);

        assertThatThrownBy(() -> decoder.decode(PgLsn.of(208), commit))
                .isInstanceOf(ContractViolationException.class)
                .hasMessageContaining("expected commit LSN 0/64 (from its Begin) but found 0/C8");
    }

    @Test
    void shouldRefuseAValueTheCodecCannotReadNamingTheTable() {
        PgOutputDecoder decoder = new PgOutputDecoder(t -> true, RESOLVER, CapturedStream::rule);
        decoder.decode(PgLsn.of(1), new PgOutputMessage.Begin(PgLsn.of(100), Instant.EPOCH, 7));
        decoder.decode(PgLsn.of(2), new PgOutputMessage.Relation(42, "public", "n_table", 'f', List.of(
                new PgOutputMessage.Relation.Column(1, "id", 23, -1))));
        PgOutputMessage insert = new PgOutputMessage.Insert(42, new TupleData(List.of(new TupleValue.Text("x1"))));

        assertThatThrownBy(() -> decoder.decode(PgLsn.of(3), insert))
                .isInstanceOf(ContractViolationException.class)
                .hasMessageContaining("public.n_table: INSERT at 0/3 (tx 7, commit 0/64): column id: expected"
                        + " PostgreSQL text output of an integer but found 'x1'");
    }
}
