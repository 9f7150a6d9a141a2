package io.bronzecdc.bench.report;

import io.bronzecdc.bench.report.BenchReport.Ceiling;
import io.bronzecdc.bench.report.BenchReport.Cost;
import io.bronzecdc.bench.report.BenchReport.Environment;
import io.bronzecdc.bench.report.BenchReport.Integrity;
import io.bronzecdc.bench.report.BenchReport.Latency;
import io.bronzecdc.bench.report.BenchReport.Measurement;
import io.bronzecdc.bench.report.BenchReport.Pipeline;
import io.bronzecdc.bench.report.BenchReport.Workload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A realistic report, as a full run on a 2-core machine would give it: five pipelines, both placements, snapshot,
 * backlog and live at three rates; the debezium peer fails integrity on the same server (duplicates), flink-cdc
 * times out at 20,000 changes/s on the separate server, and our Flink job with either source (flink,
 * flink-cdc-source) is also measured with a 1 s checkpoint at 5,000 changes/s. Seeded, so every call gives an equal report.
 */
public final class BenchReportFixture {
    public static final long SEED = 20261202L;
    public static final List<String> PLACEMENTS = List.of("same-server", "separate-server");
    public static final List<Integer> RATES = List.of(1_000, 5_000, 20_000);
    static final int ROWS = 200_000;
    static final int BACKLOG = 1_000_000;
    static final long MIB = 1024L * 1024L;

    private BenchReportFixture() {
    }

    public static BenchReport realistic() {
        Random random = new Random(SEED);
        List<Measurement> measurements = new ArrayList<>();
        List<Integrity> integrity = new ArrayList<>();
        for (String placement : PLACEMENTS) {
            double drain = placement.equals("same-server") ? 108_000 : 126_000;
            double copy = placement.equals("same-server") ? 187_000 : 195_000;
            for (Engine e : Engine.values()) {
                measurements.add(drained(e, placement, "snapshot", ROWS, e.snapshotRate, copy));
                measurements.add(drained(e, placement, "backlog", BACKLOG, e.backlogRate, drain));
                for (int rate : RATES) {
                    boolean timedOut = e == Engine.FLINK_CDC && rate == 20_000 && placement.equals("separate-server");
                    measurements.add(live(random, e, e.setting, placement, rate, drain, e.p99At1k,
                            timedOut ? "timed out after 120 s (lag kept growing)" : ReportTables.OK));
                }
                boolean fails = e == Engine.DEBEZIUM && placement.equals("same-server");
                integrity.add(fails ? duplicates(placement) : passed(e.pipeline, placement));
            }
            measurements.add(live(random, Engine.FLINK, "checkpoint 1s", placement, 5_000, drain, 1_900,
                    ReportTables.OK));
            measurements.add(live(random, Engine.FLINK_CDC_SOURCE, "checkpoint 1s", placement, 5_000, drain, 2_400,
                    ReportTables.OK));
        }
        return new BenchReport("full", "2026-12-02T01:02:03Z", 3_412.5, environment(), workload(),
                List.of(new Ceiling("same-server", BACKLOG, 108_000, BACKLOG, 187_000),
                        new Ceiling("separate-server", BACKLOG, 126_000, BACKLOG, 195_000)),
                measurements, integrity,
                List.of("Spark ran every 2 s for measuring; production runs every 5 min.",
                        "Two cores shared by PostgreSQL, the probe, the load driver and the pipeline: figures are "
                                + "for comparison within this run, not absolute capacity.",
                        "Peers write bronze through our shared codec (<io.bronzecdc.model.codec>) & sequencer; "
                                + "capture and delivery are theirs."));
    }

    private enum Engine {
        FLINK(Pipeline.FLINK, "checkpoint 300ms", 4_100, 15_200, 16_000, 1_150, 900 * MIB),
        FLINK_CDC_SOURCE(Pipeline.FLINK_CDC_SOURCE, "checkpoint 300ms", 3_900, 14_000, 13_000, 1_250, 950 * MIB),
        SPARK(Pipeline.SPARK, "every 2s", 31_000, 61_000, 60_000, 2_600, 1_400 * MIB),
        FLINK_CDC(Pipeline.FLINK_CDC, "checkpoint 300ms", 5_200, 12_300, 12_500, 1_300, 820 * MIB),
        DEBEZIUM(Pipeline.DEBEZIUM, "poll 500ms", 9_800, 21_000, 21_000, 460, 610 * MIB);

        final String pipeline;
        final String setting;
        final double snapshotRate;
        final double backlogRate;
        final double liveCapacity;
        final double p99At1k;
        final long rss;

        Engine(String pipeline, String setting, double snapshotRate, double backlogRate, double liveCapacity,
                double p99At1k, long rss) {
            this.pipeline = pipeline;
            this.setting = setting;
            this.snapshotRate = snapshotRate;
            this.backlogRate = backlogRate;
            this.liveCapacity = liveCapacity;
            this.p99At1k = p99At1k;
            this.rss = rss;
        }
    }

    private static Measurement drained(Engine e, String placement, String scenario, long rows, double rate,
            double ceiling) {
        double seconds = rows / rate;
        return new Measurement(e.pipeline, scenario, placement, e.setting, 0, rows, seconds, rate, ceiling, null, -1,
                new Cost(e.rss + 150 * MIB, seconds * 1.7), ReportTables.OK);
    }

    private static Measurement live(Random random, Engine e, String setting, String placement, int rate,
            double ceiling, double p99At1k, String outcome) {
        int seconds = 60;
        double reached = Math.min(rate, e.liveCapacity * 0.97);
        double load = rate / e.liveCapacity;
        double p99 = p99At1k * (1 + 3 * load * load);
        Latency latency = latency(random, p99, seconds * rate / 10);
        double lag = load > 0.9 ? p99 * 4 : p99 * 0.8;
        long rows = (long) (reached * seconds);
        return new Measurement(e.pipeline, "live", placement, setting, rate, rows, seconds, reached, ceiling, latency,
                lag, new Cost(e.rss, seconds * (0.2 + 1.6 * Math.min(load, 1))), outcome);
    }

    /** A log-normal latency distribution with the given p99, sampled and summarised as the probe would. */
    private static Latency latency(Random random, double p99, int samples) {
        double sigma = 0.55;
        double mu = Math.log(p99) - 2.326 * sigma;
        double[] millis = new double[samples];
        for (int i = 0; i < samples; i++) {
            millis[i] = Math.exp(mu + sigma * random.nextGaussian());
        }
        Arrays.sort(millis);
        List<double[]> cdf = new ArrayList<>();
        int points = 200;
        for (int i = 1; i <= points; i++) {
            int index = (int) ((long) i * samples / points) - 1;
            cdf.add(new double[] {millis[index], (index + 1) / (double) samples});
        }
        return new Latency(samples, at(millis, 0.50), at(millis, 0.95), at(millis, 0.99), millis[samples - 1], cdf);
    }

    private static double at(double[] sorted, double fraction) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(fraction * sorted.length) - 1)];
    }

    private static Integrity passed(String pipeline, String placement) {
        long rows = ROWS + BACKLOG + 1_234_567;
        return new Integrity(pipeline, placement, true, rows, List.of(),
                "br_film_cdc: " + rows + " rows, lsn 1.." + rows + " dense, replay equals source: ok");
    }

    private static Integrity duplicates(String placement) {
        List<String> violations = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            violations.add("public.br_rental_cdc: change at source_lsn 0/1A2B" + (300 + i) + " tx " + (9000 + i)
                    + " appears twice (lsn " + (5000 + 2 * i) + " and " + (5001 + 2 * i) + ")");
        }
        return new Integrity(Pipeline.DEBEZIUM, placement, false, ROWS + BACKLOG + 1_234_574, violations,
                "public.br_rental_cdc: 7 duplicate changes <after restart> & replay differs from source in 7 rows\n"
                        + String.join("\n", violations));
    }

    private static Environment environment() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("wal_level", "logical");
        settings.put("shared_buffers", "256MB");
        settings.put("synchronous_commit", "on");
        settings.put("fsync", "on");
        settings.put("max_wal_senders", "10");
        settings.put("max_replication_slots", "10");
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("flink", "1.20.3");
        versions.put("flink-cdc", "3.5.0");
        versions.put("spark", "4.0.1");
        versions.put("debezium", "3.2.4.Final");
        versions.put("pgjdbc", "42.7.4");
        return new Environment("0.1.0-SNAPSHOT", "e17dfba", "OpenJDK 64-Bit Server VM 17.0.15",
                "Linux 6.1.0 amd64", "AMD EPYC 7B13", 2, 8L * 1024 * MIB, "17.2", settings, versions, "embedded");
    }

    private static Workload workload() {
        Map<Integer, Double> sizes = new LinkedHashMap<>();
        sizes.put(1, 0.60);
        sizes.put(10, 0.30);
        sizes.put(1_000, 0.099);
        sizes.put(50_000, 0.001);
        return new Workload(SEED, 1, 200_000, 5_000_000, ROWS, BACKLOG, Map.of(1, 0.05, 50_000, 0.95), RATES, 60,
                sizes, "I=0.5 U=0.35 D=0.15",
                List.of("public.film (Pagila-shaped)", "public.rental (Pagila-shaped)",
                        "public.wide_events (120 columns)"),
                List.of("PT0.3S", "PT1S"), "PT2S");
    }
}
