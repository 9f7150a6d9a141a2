package io.bronzecdc.model.pgoutput;

import static io.bronzecdc.model.pgoutput.CapturedStream.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.pgoutput.CapturedStream.Message;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reads each message kind from bytes captured from PostgreSQL 17, or built by hand for the rarer ones. */
class PgOutputParserTest {
    private final List<Message> mixed = messages("mixed");

    @Test
    void shouldReadBeginAndCommitOfOneTransaction() {
        Message beginRow = mixed.get(0);
        Message commitRow = mixed.stream().filter(m -> m.kind() == 'C').findFirst().orElseThrow();

        PgOutputMessage.Begin begin = (PgOutputMessage.Begin) PgOutputParser.parse(beginRow.buffer());
        PgOutputMessage.Commit commit = (PgOutputMessage.Commit) PgOutputParser.parse(commitRow.buffer());

        assertThat(begin.xid()).isEqualTo(beginRow.xid()).isEqualTo(753);
        assertThat(begin.finalLsn()).isEqualTo(PgLsn.parse("0/1951B98"));
        assertThat(commit.commitLsn()).isEqualTo(begin.finalLsn());
        // The slot function reports a commit at the end of its record, which the Commit message carries too.
        assertThat(commit.endLsn()).isEqualTo(commitRow.lsn());
        assertThat(commit.commitTime()).isEqualTo(begin.commitTime()).isEqualTo(Instant.parse("2026-11-25T07:40:46.909382Z"));
    }

    @Test
    void shouldReadARelationWithItsKeyColumnsAndTypes() {
        PgOutputMessage.Relation customer = (PgOutputMessage.Relation) PgOutputParser.parse(mixed.get(1).buffer());

        assertThat(customer.namespace()).isEqualTo("public");
        assertThat(customer.name()).isEqualTo("customer");
        assertThat(customer.replicaIdentity()).isEqualTo('f');
        assertThat(customer.columns()).extracting(PgOutputMessage.Relation.Column::name).containsExactly(
                "customer_id", "store_id", "first_name", "last_name", "email", "address_id", "activebool",
                "create_date", "last_update", "active");
        assertThat(customer.columns()).extracting(PgOutputMessage.Relation.Column::typeOid)
                .containsExactly(23, 23, 25, 25, 25, 23, 16, 1082, 1184, 23);
        // REPLICA IDENTITY FULL marks every column as part of the identity.
        assertThat(customer.columns()).allMatch(PgOutputMessage.Relation.Column::isKey);
        assertThat(customer.columns()).extracting(PgOutputMessage.Relation.Column::typeModifier).containsOnly(-1);
    }

    @Test
    void shouldReadAnInsertWithTextAndNullValues() {
        PgOutputMessage.Insert insert = (PgOutputMessage.Insert) PgOutputParser.parse(mixed.get(2).buffer());

        assertThat(insert.newTuple().values()).containsExactly(new TupleValue.Text("1001"), new TupleValue.Text("1"),
                new TupleValue.Text("ZOË"), new TupleValue.Text("O'Brien"), new TupleValue.Text("zoe@example.org"),
                new TupleValue.Text("5"), new TupleValue.Text("t"), new TupleValue.Text("2022-02-14"),
                new TupleValue.Text("2022-02-15 09:57:20.123456+00"), new TupleValue.Text("1"));
    }

    @Test
    void shouldReadAnUpdateWithItsFullOldRowAndADeleteWithOnlyTheKey() {
        PgOutputMessage.Update update = (PgOutputMessage.Update) PgOutputParser.parse(first("mixed", 'U').buffer());
        PgOutputMessage.Delete delete = (PgOutputMessage.Delete)
                PgOutputParser.parse(first("identity-default-delete", 'D').buffer());

        assertThat(update.oldTuple().kind()).isEqualTo('O');
        assertThat(update.oldTuple().tuple().get(4)).isEqualTo(new TupleValue.Text("zoe@example.org"));
        assertThat(update.newTuple().get(4)).isEqualTo(TupleValue.NULL);
        assertThat(delete.oldTuple().kind()).isEqualTo('K');
        assertThat(delete.oldTuple().tuple().values())
                .containsExactly(new TupleValue.Text("1"), TupleValue.NULL, TupleValue.NULL);
    }

    @Test
    void shouldReadATypeAndATruncate() {
        PgOutputMessage.Type type = (PgOutputMessage.Type) PgOutputParser.parse(first("all-types", 'Y').buffer());
        PgOutputMessage.Truncate truncate = (PgOutputMessage.Truncate)
                PgOutputParser.parse(first("truncate", 'T').buffer());

        assertThat(type.namespace()).isEqualTo("public");
        assertThat(type.name()).isEqualTo("mpaa_rating");
        assertThat(truncate.options()).isZero();
        assertThat(truncate.relationOids()).hasSize(1);
    }

    @Test
    void shouldReadOriginAndLogicalMessage() {
        ByteBuffer origin = ByteBuffer.allocate(64).put((byte) 'O').putLong(0x1_0000_0010L)
                .put("node_a\0".getBytes(StandardCharsets.UTF_8)).flip();
        ByteBuffer message = ByteBuffer.allocate(64).put((byte) 'M').put((byte) 1).putLong(0x20L)
                .put("pfx\0".getBytes(StandardCharsets.UTF_8)).putInt(2).put(new byte[] {7, 8}).flip();

        assertThat(PgOutputParser.parse(origin)).isEqualTo(new PgOutputMessage.Origin(PgLsn.parse("1/10"), "node_a"));
        PgOutputMessage.LogicalMessage parsed = (PgOutputMessage.LogicalMessage) PgOutputParser.parse(message);
        assertThat(parsed.transactional()).isTrue();
        assertThat(parsed.lsn()).isEqualTo(PgLsn.of(0x20));
        assertThat(parsed.prefix()).isEqualTo("pfx");
        assertThat(parsed.content()).isEqualTo(ByteBuffer.wrap(new byte[] {7, 8}));
    }

    @Test
    void shouldCountTimesInMicrosecondsFrom2000() {
        assertThat(PgOutputParser.timestamp(0)).isEqualTo(Instant.parse("2000-01-01T00:00:00Z"));
        assertThat(PgOutputParser.timestamp(1_500_001)).isEqualTo(Instant.parse("2000-01-01T00:00:01.500001Z"));
        assertThat(PgOutputParser.timestamp(-1)).isEqualTo(Instant.parse("1999-12-31T23:59:59.999999Z"));
    }

    @Test
    void shouldParseFromTheBufferPositionAndLeaveItAtTheLimit() {
        byte[] begin = mixed.get(0).data();
        ByteBuffer framed = ByteBuffer.allocate(begin.length + 3);
        framed.put(new byte[] {9, 9, 9}).put(begin).position(3);

        assertThat(PgOutputParser.parse(framed)).isEqualTo(PgOutputParser.parse(ByteBuffer.wrap(begin)));
        assertThat(framed.remaining()).isZero();
    }

    @Test
    void shouldRefuseMessagesOfOtherProtocolVersions() {
        assertThatThrownBy(() -> PgOutputParser.parse(ByteBuffer.wrap(new byte[] {'S', 0, 0, 0, 1, 1})))
                .isInstanceOf(ContractViolationException.class)
                .hasMessageContaining("pgoutput message kind 'S' (0x53) is not one of protocol version 1")
                .hasMessageContaining("request 'proto_version' '1' without 'streaming'");
    }

    @Test
    void shouldRefuseACutOffMessage() {
        byte[] insert = mixed.get(2).data();
        ByteBuffer cut = ByteBuffer.wrap(insert, 0, insert.length - 3);

        assertThatThrownBy(() -> PgOutputParser.parse(cut))
                .isInstanceOf(ContractViolationException.class)
                .hasMessageContaining("pgoutput message 'I' ends early");
    }

    @Test
    void shouldRefuseTrailingBytes() {
        byte[] begin = mixed.get(0).data();
        ByteBuffer longer = ByteBuffer.allocate(begin.length + 2).put(begin).put(new byte[] {1, 2}).flip();

        assertThatThrownBy(() -> PgOutputParser.parse(longer))
                .isInstanceOf(ContractViolationException.class)
                .hasMessageContaining("pgoutput message 'B' has 2 unexpected bytes after its last field");
    }

    @Test
    void shouldRefuseAnUnknownValueKind() {
        ByteBuffer insert = ByteBuffer.wrap(HexFormat.of().parseHex("49000040024e0001" + "78"));

        assertThatThrownBy(() -> PgOutputParser.parse(insert))
                .isInstanceOf(ContractViolationException.class)
                .hasMessageContaining("pgoutput tuple column 1 of 1 has value kind 'x'")
                .hasMessageContaining("refused rather than stored without it");
    }

    @Test
    void shouldRefuseAnEmptyMessage() {
        assertThatThrownBy(() -> PgOutputParser.parse(ByteBuffer.allocate(0)))
                .isInstanceOf(ContractViolationException.class)
                .hasMessageContaining("pgoutput message is empty");
    }

    private static Message first(String scenario, char kind) {
        return messages(scenario).stream().filter(m -> m.kind() == kind).findFirst().orElseThrow();
    }
}
