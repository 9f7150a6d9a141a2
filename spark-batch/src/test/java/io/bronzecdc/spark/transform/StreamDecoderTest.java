package io.bronzecdc.spark.transform;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.event.ChangeEvent;
import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.testkit.workload.ChangeWorkload;
import io.bronzecdc.model.event.UpdateRule;
import io.bronzecdc.model.source.SnapshotHandover;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The position filter on protocol bytes captured from PostgreSQL 17 (shared-model's {@code mixed.pgoutput}:
 * several transactions over the Pagila tables and an unpublished-for-us table).
 */
class StreamDecoderTest {
    /** The Pagila tables with their primary keys. */
    private static final Map<TableId, UpdateRule> TABLES = Map.of(
            TableId.of("customer"), new UpdateRule(List.of("customer_id")),
            TableId.of("payment"), new UpdateRule(List.of("payment_date", "payment_id")),
            TableId.of("rental"), new UpdateRule(List.of("rental_id")));

    @Test
    void shouldSkipWholeTransactionsBronzeAlreadyCoversAndKeepTheRestInOrder() throws IOException {
        List<Message> stream = messages();
        StreamDecoder fromStart = new StreamDecoder(TABLES, oid -> null, PgLsn.ZERO);
        List<ChangeEvent> all = decode(fromStart, stream);
        List<PgLsn> commits = all.stream().map(e -> e.position().commitLsn()).distinct().toList();
        assertThat(commits).as("transactions with captured changes in the fixture").hasSizeGreaterThan(1);

        // Bronze covers the first transaction: the position recorded is the end of its commit.
        StreamDecoder firstOnly = new StreamDecoder(TABLES, oid -> null, PgLsn.ZERO);
        int firstCommit = firstCommitIndex(stream);
        decode(firstOnly, stream.subList(0, firstCommit + 1));
        PgLsn covered = firstOnly.reached();
        assertThat(covered).isGreaterThan(commits.get(0)).isLessThanOrEqualTo(commits.get(1));

        StreamDecoder rerun = new StreamDecoder(TABLES, oid -> null, covered);
        List<ChangeEvent> rest = decode(rerun, stream);

        List<ChangeEvent> expected = all.stream().filter(e -> !e.position().commitLsn().equals(commits.get(0))).toList();
        assertThat(rest).isEqualTo(expected);
        assertThat(rerun.skipped()).isEqualTo(all.size() - expected.size()).isPositive();
        assertThat(rerun.reached()).isEqualTo(fromStart.reached());
        assertThat(rerun.inTransaction()).isFalse();
    }

    @Test
    void shouldDropExactlyTheChangesOfANewTableThatItsSnapshotHolds() throws IOException {
        List<Message> stream = messages();
        List<ChangeEvent> all = decode(new StreamDecoder(TABLES, oid -> null, PgLsn.ZERO), stream);
        TableId table = all.get(0).table();
        long visibleXid = all.get(0).position().txId();
        List<Long> xids = all.stream().map(e -> e.position().txId()).distinct().sorted().toList();
        assertThat(xids).as("transactions in the fixture").hasSizeGreaterThan(1);
        // Only the first transaction is visible in the snapshot: every other one is in progress.
        List<Long> inProgress = xids.stream().filter(x -> x != visibleXid).toList();
        SnapshotHandover handover = new SnapshotHandover(xids.get(0), xids.get(xids.size() - 1) + 1, inProgress,
                PgLsn.parse("FFFF/0").asLong());

        StreamDecoder decoder = new StreamDecoder(TABLES, oid -> null, PgLsn.ZERO, Map.of(table, handover));
        List<ChangeEvent> kept = decode(decoder, stream);

        List<ChangeEvent> expected = all.stream()
                .filter(e -> !(e.table().equals(table) && e.position().txId() == visibleXid)).toList();
        assertThat(kept).as("other tables and invisible transactions untouched, in order").isEqualTo(expected);
        assertThat(decoder.heldBySnapshots()).isEqualTo(all.size() - expected.size()).isPositive();
        assertThat(decoder.skipped()).isZero();

        // A commit at or after the snapshot's position cannot be in it, whatever its xid.
        SnapshotHandover before = new SnapshotHandover(xids.get(0), xids.get(xids.size() - 1) + 1, inProgress,
                all.get(0).position().commitLsn().asLong());
        assertThat(decode(new StreamDecoder(TABLES, oid -> null, PgLsn.ZERO, Map.of(table, before)), stream))
                .isEqualTo(all);
    }

    @Test
    void shouldReportTheCoveredPositionWhenNothingNewCame() {
        PgLsn covered = PgLsn.parse("0/1951B98");
        StreamDecoder decoder = new StreamDecoder(TABLES, oid -> null, covered);
        assertThat(decoder.reached()).isEqualTo(covered);
        assertThat(decoder.skipped()).isZero();
    }

    private static List<ChangeEvent> decode(StreamDecoder decoder, List<Message> messages) {
        List<ChangeEvent> events = new ArrayList<>();
        for (Message m : messages) {
            events.addAll(decoder.decode(m.lsn(), ByteBuffer.wrap(m.data())));
        }
        return events;
    }

    private static int firstCommitIndex(List<Message> stream) {
        for (int i = 0; i < stream.size(); i++) {
            if (stream.get(i).data()[0] == 'C') {
                return i;
            }
        }
        throw new IllegalStateException("no Commit in the fixture");
    }

    /** {@code <lsn> <xid> <hex bytes>} per line, from the shared-model test-jar. */
    private static List<Message> messages() throws IOException {
        try (InputStream in = StreamDecoderTest.class.getResourceAsStream("/io/bronzecdc/model/pgoutput/mixed.pgoutput")) {
            assertThat(in).as("mixed.pgoutput from the shared-model test-jar").isNotNull();
            List<Message> messages = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.trim().split(" ");
                messages.add(new Message(PgLsn.parse(parts[0]), HexFormat.of().parseHex(parts[2])));
            }
            return messages;
        }
    }

    private record Message(PgLsn lsn, byte[] data) {
    }
}
