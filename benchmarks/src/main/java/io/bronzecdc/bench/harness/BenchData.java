package io.bronzecdc.bench.harness;

import io.bronzecdc.model.event.TableId;
import io.bronzecdc.testkit.pagila.PagilaGenerator;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's source tables: Pagila-shaped {@code customer}, {@code payment} (partitioned by month) and
 * {@code rental} generated from the seed, and {@code bench_wide}, a wide table of twenty columns of the common
 * types with NULLs, unicode, quotes and negative numbers, generated in SQL so millions of rows load in seconds.
 *
 * <p>Every value of {@code bench_wide} is a function of the row id and the seed, so a row the workload inserts
 * later ({@link #wideRows}) looks like the loaded ones, and two databases loaded with one seed are equal.
 */
public final class BenchData {
    /** The wide table. */
    public static final TableId WIDE = TableId.of("bench_wide");
    /** The Pagila-shaped table the workload changes besides {@link #WIDE}. */
    public static final TableId RENTAL = TableId.of("rental");
    /** Every captured table. */
    public static final List<TableId> TABLES =
            List.of(TableId.of("customer"), TableId.of("payment"), RENTAL, WIDE);

    private static final String WIDE_DDL = """
            CREATE TABLE IF NOT EXISTS public.bench_wide (
                id          bigint PRIMARY KEY,
                account_id  integer NOT NULL,
                quantity    smallint,
                amount      numeric(12,4),
                ratio       double precision,
                score       real,
                active      boolean,
                code        char(8),
                label       varchar(64),
                note        text,
                payload     jsonb,
                ref         uuid,
                ip          inet,
                blob        bytea,
                day         date,
                happened_at timestamp,
                updated_at  timestamptz,
                big         bigint,
                tiny_text   text DEFAULT 'x',
                version     integer NOT NULL DEFAULT 0
            )""";

    private BenchData() {
    }

    /**
     * Creates and loads every table: Pagila-shaped rows at Pagila's counts times {@code pagilaScale} and
     * {@code wideRows} rows of {@code bench_wide}, with REPLICA IDENTITY FULL, then ANALYZE.
     *
     * @return rows per table
     */
    public static Map<TableId, Long> load(Connection c, long seed, int pagilaScale, long wideRows)
            throws SQLException {
        SourceSchema.create(c);
        PagilaGenerator.Counts pagila = PagilaGenerator.PAGILA_COUNTS;
        PagilaLoader.loadGenerated(c, new PagilaGenerator(seed, new PagilaGenerator.Counts(
                pagila.customers() * pagilaScale, pagila.payments() * pagilaScale, pagila.rentals() * pagilaScale)));
        try (Statement s = c.createStatement()) {
            s.execute(WIDE_DDL);
            s.execute("ALTER TABLE public.bench_wide REPLICA IDENTITY FULL");
            for (long from = 1; from <= wideRows; from += 500_000) {
                s.execute(insertWide(seed, from, Math.min(wideRows, from + 499_999)));
            }
            s.execute("ANALYZE");
        }
        return counts(c);
    }

    /** {@code INSERT} of the {@code bench_wide} rows with ids {@code from..to}: one statement. */
    static String insertWide(long seed, long from, long to) {
        long salt = Math.floorMod(seed, 1_000_003L);
        String h = "md5(g::text || '" + salt + "')";
        return "INSERT INTO public.bench_wide (id, account_id, quantity, amount, ratio, score, active, code, label,"
                + " note, payload, ref, ip, blob, day, happened_at, updated_at, big) SELECT g,"
                + " ((g * 7919 + " + salt + ") % 100000)::int,"
                + " CASE WHEN g % 11 = 0 THEN NULL ELSE (g % 32000)::smallint END,"
                + " (((g * 37 + " + salt + ") % 10000000) / 100.0 - 50000)::numeric(12,4),"
                + " CASE WHEN g % 17 = 0 THEN NULL ELSE (g % 1000) / 7.0 END,"
                + " ((g % 100) / 3.0)::real,"
                + " CASE WHEN g % 19 = 0 THEN NULL ELSE g % 3 = 0 END,"
                + " lpad((g % 100000)::text, 8, '0'),"
                + " 'label-' || g || CASE WHEN g % 5 = 0 THEN ' Zoë \"q\" O''Neil \\ tab' ELSE '' END,"
                + " CASE WHEN g % 13 = 0 THEN NULL ELSE repeat(" + h + ", 3) END,"
                + " jsonb_build_object('g', g, 'tags', jsonb_build_array('a', g % 10), 'nested',"
                + " jsonb_build_object('x', g * 1.5, 'none', NULL)),"
                + " " + h + "::uuid,"
                + " ('10.' || (g / 65536) % 256 || '.' || (g / 256) % 256 || '.' || g % 256)::inet,"
                + " decode(" + h + ", 'hex'),"
                + " date '2020-01-01' + (g % 3650)::int,"
                + " timestamp '2020-01-01 00:00:00' + g * interval '1 second',"
                + " timestamptz '2020-01-01 00:00:00+00' + g * interval '1 millisecond',"
                + " g * 1000003"
                + " FROM generate_series(" + from + "::bigint, " + to + "::bigint) g";
    }

    /** Exact rows per captured table. */
    public static Map<TableId, Long> counts(Connection c) throws SQLException {
        Map<TableId, Long> counts = new LinkedHashMap<>();
        try (Statement s = c.createStatement()) {
            for (TableId table : TABLES) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table.quoted())) {
                    rs.next();
                    counts.put(table, rs.getLong(1));
                }
            }
        }
        return counts;
    }

    /**
     * Creates publication {@code name} for every table (partitions published as their root) and returns the
     * statement, for the pipelines that expect one (the Spark job, the peers) and the bare reader.
     */
    public static void createPublication(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE PUBLICATION " + name + " FOR TABLE "
                    + String.join(", ", TABLES.stream().map(TableId::quoted).toList())
                    + " WITH (publish_via_partition_root = true)");
        }
    }
}
