package io.bronzecdc.bench.engine;

import io.bronzecdc.flink.preflight.FlinkColumnTypes;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.testing.ColumnType;
import io.bronzecdc.model.testing.ColumnTypes;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Which of the typed-table kit's types the Flink engine carries, asked of its preflight on a real server. */
final class FlinkAcceptedTypes {
    /**
     * Accepted by the Flink preflight but outside the parity proofs, as in flink-pipeline's TypeFidelityIT: the kit's
     * values of these reach before 1582-10-15 and to infinity, which stop the Flink job loudly.
     */
    static final Set<String> TEMPORAL_RANGE_LIMITED = Set.of("date", "timestamp", "timestamptz", "d_stamp");

    private FlinkAcceptedTypes() {
    }

    /** Whether {@code type} (one of {@code accepted}) is in the parity proofs: accepted and not range-limited. */
    static boolean inParity(Set<String> accepted, ColumnType type) {
        return accepted.contains(type.label())
                && !TEMPORAL_RANGE_LIMITED.contains(type.label().replaceAll("_a[12]$", ""));
    }

    /**
     * The kit's types the Flink preflight accepts: one probe table per type in a scratch schema, judged by
     * {@link FlinkColumnTypes#refusals}, then dropped.
     */
    static Set<String> of(Connection c) throws SQLException {
        Set<String> accepted = new LinkedHashSet<>();
        try (Statement s = c.createStatement()) {
            List<ColumnType> types = ColumnTypes.available(c);
            for (String setup : new LinkedHashSet<>(types.stream().flatMap(t -> t.setup().stream()).toList())) {
                s.execute(setup);
            }
            s.execute("CREATE SCHEMA type_probe");
            for (ColumnType type : types) {
                TableId probe = new TableId("type_probe", "tp_" + type.label());
                s.execute("CREATE TABLE " + probe.qualifiedName() + " (id bigint PRIMARY KEY, c " + type.sql() + ")");
                if (FlinkColumnTypes.refusals(c, List.of(probe)).isEmpty()) {
                    accepted.add(type.label());
                }
            }
            s.execute("DROP SCHEMA type_probe CASCADE");
        }
        System.out.println("Flink accepts " + accepted);
        return accepted;
    }

}
