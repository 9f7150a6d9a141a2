package io.bronzecdc.bench.jmh;

import io.bronzecdc.model.codec.CanonicalRowWriter;
import io.bronzecdc.model.event.TableId;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A source table and rows of it, built from a fixed seed so every run measures the same data: either Pagila's
 * {@code payment} shape ({@code payment}) or a wide row ({@code wide-<columns>}: an int8 key, then every
 * {@link SampleType} in turn, one value in ten NULL). Each row holds each value in its Java form; the benchmarks
 * derive the pgoutput text and Debezium forms in their setup.
 *
 * @param spec the name the benchmarks' {@code table} parameter gives
 * @param table the source table
 * @param columns the column names, the key first
 * @param types the column types
 * @param rows the rows, {@link #ROWS} of them, each value in its Java form (null for SQL NULL)
 */
record SampleTable(String spec, TableId table, List<String> columns, List<SampleType> types, List<Object[]> rows) {
    /** The seed of every sample table: fixed, so runs compare. */
    static final long SEED = 20_261_202L;
    /** Rows per table; a power of two, so a benchmark cycles through them with a mask. */
    static final int ROWS = 256;

    private static final SampleType[] WIDE_CYCLE = {SampleType.TEXT, SampleType.INT4, SampleType.NUMERIC,
        SampleType.TIMESTAMPTZ, SampleType.BOOL, SampleType.VARCHAR, SampleType.FLOAT8, SampleType.JSONB,
        SampleType.DATE, SampleType.INT8, SampleType.UUID, SampleType.TIMESTAMP, SampleType.INT4_ARRAY,
        SampleType.BYTEA, SampleType.INT2, SampleType.TEXT_ARRAY};

    /**
     * The table a spec names.
     *
     * @throws IllegalArgumentException when the spec is neither {@code payment} nor {@code wide-<n>} with n >= 2
     */
    static SampleTable of(String spec) {
        Random random = new Random(SEED);
        if (spec.equals("payment")) {
            return payment(random);
        }
        if (spec.startsWith("wide-")) {
            int count;
            try {
                count = Integer.parseInt(spec.substring("wide-".length()));
            } catch (NumberFormatException e) {
                count = -1;
            }
            if (count >= 2) {
                return wide(spec, count, random);
            }
        }
        throw new IllegalArgumentException("sample table '" + spec + "': expected payment or wide-<columns> with at"
                + " least 2 columns, for example wide-24");
    }

    /**
     * Pagila's payment: payment_id int4 (key), customer_id and staff_id int2, rental_id int4, amount numeric(5,2),
     * payment_date timestamptz.
     */
    private static SampleTable payment(Random random) {
        List<Object[]> rows = new ArrayList<>(ROWS);
        LocalDateTime start = LocalDateTime.of(2022, 1, 24, 0, 0);
        for (int i = 0; i < ROWS; i++) {
            rows.add(new Object[] {16_050 + i, (short) (1 + random.nextInt(599)), (short) (1 + random.nextInt(2)),
                1 + random.nextInt(16_049), BigDecimal.valueOf(99 + random.nextInt(1_100), 2),
                start.plusSeconds(random.nextInt(20_000_000)).plusNanos(random.nextInt(1_000_000) * 1_000L)
                        .atOffset(ZoneOffset.UTC)});
        }
        return new SampleTable("payment", TableId.of("payment"),
                List.of("payment_id", "customer_id", "staff_id", "rental_id", "amount", "payment_date"),
                List.of(SampleType.INT4, SampleType.INT2, SampleType.INT2, SampleType.INT4, SampleType.NUMERIC,
                        SampleType.TIMESTAMPTZ), rows);
    }

    private static SampleTable wide(String spec, int count, Random random) {
        List<String> columns = new ArrayList<>(List.of("id"));
        List<SampleType> types = new ArrayList<>(List.of(SampleType.INT8));
        for (int i = 1; i < count; i++) {
            SampleType type = WIDE_CYCLE[(i - 1) % WIDE_CYCLE.length];
            types.add(type);
            columns.add("c" + i + "_" + type.name().toLowerCase(Locale.ROOT));
        }
        List<Object[]> rows = new ArrayList<>(ROWS);
        for (int r = 0; r < ROWS; r++) {
            Object[] row = new Object[count];
            row[0] = 1_000_000L + r;
            for (int i = 1; i < count; i++) {
                row[i] = random.nextInt(10) == 0 ? null : types.get(i).randomValue(random);
            }
            rows.add(row);
        }
        return new SampleTable(spec, new TableId("bench", "wide_" + count), columns, types, rows);
    }

    int columnCount() {
        return columns.size();
    }

    /** Each row's values as PostgreSQL's text output (null for SQL NULL): what pgoutput and the snapshot read. */
    String[][] texts() {
        return rows.stream().map(this::texts).toArray(String[][]::new);
    }

    /** A row's values as PostgreSQL's text output. */
    String[] texts(Object[] values) {
        String[] texts = new String[columnCount()];
        for (int i = 0; i < columnCount(); i++) {
            texts[i] = types.get(i).text(values[i]);
        }
        return texts;
    }

    /**
     * The canonical {@code full_row} of {@code values} (a row's Java values), written with {@code CanonicalRowWriter}
     * from Java values, optionally without the columns Debezium does not carry: what the tests check the benchmarks'
     * outputs against, and the {@code full_row}s of the COPY benchmark.
     */
    String canonical(Object[] values, boolean debeziumColumnsOnly) {
        CanonicalRowWriter writer = new CanonicalRowWriter().begin();
        for (int i = 0; i < columnCount(); i++) {
            SampleType type = types.get(i);
            if (!debeziumColumnsOnly || type.debeziumCarries()) {
                writer.value(columns.get(i), type.pgType(), type.jdbcValue(values[i]));
            }
        }
        return writer.end();
    }

    /**
     * The Java values of change {@code k}'s row image ({@link ChangeMix}): row k, or for an update the values of row
     * k + 1 under row k's key (the old image is row k).
     */
    Object[] newValues(int k) {
        Object[] row = rows.get(k % ROWS);
        if (ChangeMix.of(k) != ChangeMix.UPDATE) {
            return row;
        }
        Object[] updated = rows.get((k + 1) % ROWS).clone();
        updated[0] = row[0];
        return updated;
    }
}
