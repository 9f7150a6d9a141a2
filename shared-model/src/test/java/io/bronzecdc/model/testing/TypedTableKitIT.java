package io.bronzecdc.model.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.event.Op;
import io.bronzecdc.model.event.TableId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The typed-table kit itself: every value it makes is valid, and its record of changes folds to the source. */
class TypedTableKitIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    @Test
    void shouldOfferTheContribTypesTheEmbeddedServerShips() throws Exception {
        try (Connection c = POSTGRES.connect()) {
            assertThat(ColumnTypes.available(c)).extracting(ColumnType::label)
                    .contains("hstore", "ltree", "citext", "hstore_a1", "citext_a2");
        }
    }

    @Test
    void shouldMakeOnlyValidValuesOfEveryType() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            for (ColumnType type : ColumnTypes.available(c)) {
                type.setup().forEach(sql -> execute(s, sql));
                for (String value : type.specials()) {
                    assertThat(toJsonb(s, type, value, seed)).as("seed %d, %s special %s", seed, type, value).isNotNull();
                }
                for (int i = 0; i < 30; i++) {
                    String value = type.value(random);
                    assertThat(toJsonb(s, type, value, seed)).as("seed %d, %s value %s", seed, type, value).isNotNull();
                }
            }
        }
    }

    @Test
    void shouldRecordChangesThatFoldToTheSource() throws Exception {
        for (long seed : new long[] {1L, System.nanoTime()}) {
            String schema = "kit_" + Long.toUnsignedString(seed, 36);
            try (Connection c = POSTGRES.connect()) {
                RandomTypedTables tables = RandomTypedTables.create(c, schema, seed, 5, t -> true);
                TypedWorkload workload = new TypedWorkload(c, tables, seed).populate(3).run(60);

                assertThat(workload.changes()).as(tables.describe()).hasSizeGreaterThan(15 + 60);
                assertThat(workload.changes().stream().map(TypedWorkload.Change::op).distinct())
                        .containsExactlyInAnyOrder(Op.INSERT, Op.UPDATE, Op.DELETE);
                Map<TableId, SortedMap<Long, String>> replay = new HashMap<>();
                for (TypedWorkload.Change change : workload.changes()) {
                    SortedMap<Long, String> rows = replay.computeIfAbsent(change.table(), t -> new TreeMap<>());
                    if (change.op() == Op.DELETE) {
                        rows.remove(change.id());
                    } else {
                        rows.put(change.id(), change.json());
                    }
                }
                for (TableId table : tables.ids()) {
                    assertThat(replay.getOrDefault(table, new TreeMap<>())).as("%s of %s", table, tables.describe())
                            .isEqualTo(RandomTypedTables.sourceRows(c, table));
                }
            }
        }
    }

    private static String toJsonb(Statement s, ColumnType type, String value, long seed) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT to_jsonb(x)::text FROM (SELECT (" + value + ")::" + type.sql()
                + " AS v) x")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new SQLException("seed " + seed + ", " + type + ": " + value + ": " + e.getMessage(), e);
        }
    }

    private static void execute(Statement s, String sql) {
        try {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
