package io.bronzecdc.testkit.pagila;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Pagila-shaped rows for users without the Pagila files: the same tables, columns and types, value ranges like
 * Pagila's, deterministic for a seed, any size. By default Pagila's own counts (599 customers, 16,049
 * payments, 16,044 rentals). Rows come as COPY text lines, ready for {@link PagilaLoader#loadGenerated}.
 *
 * <p>Payment dates fall inside the monthly partitions of the source schema (2022-01 to 2022-07).
 */
public final class PagilaGenerator {
    /** Pagila's own row counts. */
    public static final Counts PAGILA_COUNTS = new Counts(599, 16_049, 16_044);

    private static final List<String> FIRST_NAMES = List.of("MARY", "PATRICIA", "LINDA", "BARBARA", "ELIZABETH",
            "JENNIFER", "MARIA", "SUSAN", "JOHN", "ROBERT", "MICHAEL", "WILLIAM", "DAVID", "RICHARD", "JOSÉ", "ZOË");
    private static final List<String> LAST_NAMES = List.of("SMITH", "JOHNSON", "WILLIAMS", "JONES", "BROWN",
            "DAVIS", "MILLER", "WILSON", "MOORE", "TAYLOR", "ANDERSON", "O'BRIEN", "GARCÍA", "MÜLLER");
    private static final Instant PAYMENTS_FROM = Instant.parse("2022-01-01T00:00:00Z");
    private static final Instant PAYMENTS_TO = Instant.parse("2022-08-01T00:00:00Z");
    private static final Instant RENTALS_FROM = Instant.parse("2022-02-14T00:00:00Z");
    private static final DateTimeFormatter COPY_TIMESTAMPTZ =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSx").withZone(ZoneOffset.UTC);
    private static final int FIRST_PAYMENT_ID = 16_050;

    private final long seed;
    private final Counts counts;

    /**
     * @param seed the random seed; the same seed and counts give the same rows
     * @param counts rows per table
     */
    public PagilaGenerator(long seed, Counts counts) {
        this.seed = seed;
        this.counts = counts;
    }

    /** Pagila's counts with this seed. */
    public static PagilaGenerator withPagilaCounts(long seed) {
        return new PagilaGenerator(seed, PAGILA_COUNTS);
    }

    /** The row counts this generator makes. */
    public Counts counts() {
        return counts;
    }

    /** Hands every row of {@code table}, as a COPY text line without the newline, to {@code sink}. */
    public void rows(PagilaTable table, Consumer<String> sink) {
        SplittableRandom random = new SplittableRandom(seed * 31 + table.ordinal());
        switch (table) {
            case CUSTOMER -> customers(random, sink);
            case PAYMENT -> payments(random, sink);
            case RENTAL -> rentals(random, sink);
        }
    }

    private void customers(SplittableRandom random, Consumer<String> sink) {
        StringBuilder line = new StringBuilder(160);
        for (int id = 1; id <= counts.customers(); id++) {
            String first = FIRST_NAMES.get(random.nextInt(FIRST_NAMES.size()));
            String last = LAST_NAMES.get(random.nextInt(LAST_NAMES.size()));
            boolean active = random.nextInt(100) >= 3;
            line.setLength(0);
            line.append(id).append('\t').append(1 + random.nextInt(2)).append('\t')
                    .append(first).append('\t').append(last).append('\t')
                    .append(random.nextInt(50) == 0 ? "\\N" : first + "." + last.replace("'", "") + "@sakilacustomer.org")
                    .append('\t').append(id + 4).append('\t').append(active ? 't' : 'f').append('\t')
                    .append(LocalDate.of(2022, 2, 14)).append('\t')
                    .append(COPY_TIMESTAMPTZ.format(RENTALS_FROM.plusSeconds(random.nextInt(86_400))))
                    .append('\t').append(active ? 1 : 0);
            sink.accept(line.toString());
        }
    }

    private void payments(SplittableRandom random, Consumer<String> sink) {
        long span = Duration.between(PAYMENTS_FROM, PAYMENTS_TO).toNanos() / 1_000;
        StringBuilder line = new StringBuilder(96);
        for (int i = 0; i < counts.payments(); i++) {
            Instant paid = PAYMENTS_FROM.plusNanos(random.nextLong(span) * 1_000);
            int cents = 99 + 100 * random.nextInt(12);
            line.setLength(0);
            line.append(FIRST_PAYMENT_ID + i).append('\t')
                    .append(1 + random.nextInt(Math.max(1, counts.customers()))).append('\t')
                    .append(1 + random.nextInt(2)).append('\t')
                    .append(1 + random.nextInt(Math.max(1, counts.rentals()))).append('\t')
                    .append(cents / 100).append('.').append(String.format("%02d", cents % 100)).append('\t')
                    .append(COPY_TIMESTAMPTZ.format(paid));
            sink.accept(line.toString());
        }
    }

    private void rentals(SplittableRandom random, Consumer<String> sink) {
        long spanSeconds = Duration.ofDays(190).toSeconds();
        StringBuilder line = new StringBuilder(128);
        for (int id = 1; id <= counts.rentals(); id++) {
            Instant rented = RENTALS_FROM.plusSeconds(random.nextLong(spanSeconds));
            line.setLength(0);
            line.append(id).append('\t').append(COPY_TIMESTAMPTZ.format(rented)).append('\t')
                    .append(1 + random.nextInt(4_581)).append('\t')
                    .append(1 + random.nextInt(Math.max(1, counts.customers()))).append('\t')
                    .append(random.nextInt(100) == 0 ? "\\N"
                            : COPY_TIMESTAMPTZ.format(rented.plusSeconds(3_600L * (24 + random.nextInt(216)))))
                    .append('\t').append(1 + random.nextInt(2)).append('\t')
                    .append(COPY_TIMESTAMPTZ.format(rented.plusSeconds(random.nextInt(3_600))));
            sink.accept(line.toString());
        }
    }

    @Override
    public String toString() {
        return "seed " + seed + ", " + counts;
    }

    /**
     * Rows per table.
     *
     * @param customers customers, ids 1..customers
     * @param payments payments, ids from 16050 like Pagila's
     * @param rentals rentals, ids 1..rentals
     */
    public record Counts(int customers, int payments, int rentals) {
        public Counts {
            if (customers < 1 || payments < 0 || rentals < 1) {
                throw new IllegalArgumentException("row counts must be customers >= 1, payments >= 0, rentals >= 1"
                        + " but were " + customers + ", " + payments + ", " + rentals);
            }
        }

        @Override
        public String toString() {
            return customers + " customers, " + payments + " payments, " + rentals + " rentals";
        }
    }
}
