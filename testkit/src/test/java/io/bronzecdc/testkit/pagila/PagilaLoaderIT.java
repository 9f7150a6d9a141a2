package io.bronzecdc.testkit.pagila;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.event.PgLsn;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.SnapshotReader;
import io.bronzecdc.model.testing.PagilaFiles;
import io.bronzecdc.model.testing.PostgresExtension;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The Pagila files load exactly, into the partitioned source schema, and encode exactly as to_jsonb. */
class PagilaLoaderIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static Map<PagilaTable, Long> loaded;

    @BeforeAll
    static void loadPagila() throws Exception {
        try (Connection c = POSTGRES.connect()) {
            SourceSchema.create(c);
            loaded = PagilaLoader.loadFiles(c, PagilaFiles.directory());
        }
    }

    @Test
    void shouldLoadExactlyThePagilaCounts() throws Exception {
        assertThat(loaded).containsExactlyInAnyOrderEntriesOf(Map.of(
                PagilaTable.CUSTOMER, 599L, PagilaTable.PAYMENT, 16_049L, PagilaTable.RENTAL, 16_044L));
        try (Connection c = POSTGRES.connect()) {
            assertThat(count(c, "customer")).isEqualTo(599);
            assertThat(count(c, "payment")).isEqualTo(16_049);
            assertThat(count(c, "rental")).isEqualTo(16_044);
            assertThat(count(c, "(SELECT DISTINCT payment_id FROM payment) p")).isEqualTo(16_049);
        }
    }

    @Test
    void shouldSpreadPaymentsOverTheMonthlyPartitionsWithFullReplicaIdentity() throws Exception {
        try (Connection c = POSTGRES.connect()) {
            for (int month = 1; month <= 7; month++) {
                assertThat(count(c, "payment_p2022_0" + month)).as("partition 2022-0" + month).isPositive();
            }
            assertThat(count(c, "ONLY payment")).isZero();
            List<TableId> tables = Arrays.stream(PagilaTable.values()).map(PagilaTable::id).toList();
            assertThat(SourceSchema.relationsWithoutFullIdentity(c, tables)).isEmpty();
            // Straight from the catalog: the 3 tables and 7 partitions all carry REPLICA IDENTITY FULL.
            assertThat(count(c, "pg_class WHERE relname ~ '^(customer|rental|payment|payment_p2022_0[1-7])$'"
                    + " AND relreplident = 'f'")).isEqualTo(10);
        }
    }

    @Test
    void shouldFindAndFixTablesWithoutFullReplicaIdentity() throws Exception {
        try (Connection c = POSTGRES.connect(POSTGRES.newDatabase("identity")); Statement s = c.createStatement()) {
            SourceSchema.create(c);
            s.execute("ALTER TABLE customer REPLICA IDENTITY DEFAULT");
            s.execute("ALTER TABLE payment_p2022_03 REPLICA IDENTITY DEFAULT");
            List<TableId> tables = Arrays.stream(PagilaTable.values()).map(PagilaTable::id).toList();
            assertThat(SourceSchema.relationsWithoutFullIdentity(c, tables))
                    .containsExactly("public.customer", "public.payment_p2022_03");
            assertThat(SourceSchema.ensureReplicaIdentityFull(c, tables))
                    .containsExactly("public.customer", "public.payment_p2022_03");
            assertThat(SourceSchema.relationsWithoutFullIdentity(c, tables)).isEmpty();
        }
    }

    @Test
    void shouldContinueIdSequencesAfterTheLoadedRows() throws Exception {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            try (ResultSet rs = s.executeQuery("INSERT INTO customer (store_id, first_name, last_name, address_id)"
                    + " VALUES (1, 'A', 'B', 1) RETURNING customer_id > (SELECT max(customer_id) FROM customer"
                    + " WHERE customer_id < 100000)")) {
                rs.next();
                assertThat(rs.getBoolean(1)).isTrue();
            }
            c.rollback();
        }
    }

    @Test
    void shouldEncodeEveryPagilaRowExactlyAsToJsonb() throws Exception {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
            for (PagilaTable table : PagilaTable.values()) {
                s.execute("CREATE TEMP TABLE encoded (full_row text)");
                try (Connection reader = POSTGRES.connect();
                        PreparedStatement insert = c.prepareStatement("INSERT INTO encoded VALUES (?::jsonb::text)")) {
                    long read = SnapshotReader.read(reader, table.id(), PgLsn.ZERO, change -> {
                        try {
                            insert.setString(1, change.fullRow());
                            insert.addBatch();
                        } catch (SQLException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    insert.executeBatch();
                    assertThat(read).isEqualTo(loaded.get(table));
                }
                long unmatched = count(c, "encoded e FULL JOIN (SELECT to_jsonb(t)::text j FROM "
                        + table.id().qualifiedName() + " t) s ON e.full_row = s.j WHERE e.full_row IS NULL OR s.j IS NULL");
                assertThat(unmatched).as(table + " rows whose payload text differs from to_jsonb").isZero();
                s.execute("DROP TABLE encoded");
            }
        }
    }

    @Test
    void shouldRefuseToLoadIntoTablesThatHoldRowsAndChangeNothing() throws Exception {
        try (Connection c = POSTGRES.connect()) {
            assertThatThrownBy(() -> PagilaLoader.loadFiles(c, PagilaFiles.directory()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("source table public.customer already holds 599 rows")
                    .hasMessageContaining("nothing was loaded");
            assertThat(count(c, "payment")).isEqualTo(16_049);
        }
    }

    @Test
    void shouldNameTheMissingFiles(@TempDir Path empty) throws Exception {
        try (Connection c = POSTGRES.connect(POSTGRES.newDatabase("nofiles"))) {
            SourceSchema.create(c);
            assertThatThrownBy(() -> PagilaLoader.loadFiles(c, empty))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("customer.copy").hasMessageContaining("rental.copy")
                    .hasMessageContaining("or generate Pagila-shaped rows instead");
        }
    }

    static long count(Connection c, String from) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + from)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
