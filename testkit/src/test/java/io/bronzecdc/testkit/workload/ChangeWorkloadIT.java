package io.bronzecdc.testkit.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.event.Op;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.testkit.pagila.PagilaGenerator;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ChangeWorkloadIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    @Test
    void shouldReplayTheSameHistoryForTheSameSeedAndRecordWhatItDid() throws Exception {
        List<CommittedTransaction> first = runOnFreshSource("a", 99);
        List<CommittedTransaction> second = runOnFreshSource("b", 99);

        assertThat(second).extracting(CommittedTransaction::changes).isEqualTo(
                first.stream().map(CommittedTransaction::changes).toList());
        assertThat(first).hasSize(200);
        assertThat(first).extracting(CommittedTransaction::txId).doesNotHaveDuplicates().isSorted();
        assertThat(first.stream().mapToInt(t -> t.changes().size()).max().orElseThrow()).isEqualTo(4);
        List<AppliedChange> all = first.stream().flatMap(t -> t.changes().stream()).toList();
        assertThat(all).extracting(AppliedChange::op).contains(Op.INSERT, Op.UPDATE, Op.DELETE);
        assertThat(all).extracting(c -> c.table().name()).contains("customer", "payment", "rental");
    }

    private static List<CommittedTransaction> runOnFreshSource(String label, long seed) throws SQLException {
        try (Connection c = POSTGRES.connect(POSTGRES.newDatabase(label))) {
            SourceSchema.create(c);
            PagilaLoader.loadGenerated(c, PagilaGenerator.withPagilaCounts(5));
            long customersBefore = count(c, "customer");
            List<CommittedTransaction> committed = new ChangeWorkload(seed, 4).run(c, 200);
            long inserted = changes(committed, "customer", Op.INSERT);
            long deleted = changes(committed, "customer", Op.DELETE);
            assertThat(count(c, "customer")).isEqualTo(customersBefore + inserted - deleted);
            return committed;
        }
    }

    private static long changes(List<CommittedTransaction> committed, String table, Op op) {
        return committed.stream().flatMap(t -> t.changes().stream())
                .filter(c -> c.table().name().equals(table) && c.op() == op).count();
    }

    private static long count(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
