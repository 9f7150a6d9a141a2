package io.bronzecdc.bench.report;

/** The report's fixed explanations, shared by the Markdown and the HTML page. */
final class ReportText {
    static final String SUMMARY = "Ours are bronze-cdc's engines: flink (our Flink job with its default source, our "
            + "own pgoutput reader), flink-cdc-source (the same job with source.connector: flink-cdc, Flink CDC's "
            + "Postgres source feeding our sequencer and sink) and spark; peers are what a user would run "
            + "instead (flink-cdc: a plain Flink CDC job as its documentation shows it; debezium: the Debezium "
            + "embedded engine), on the same workload in the same run, writing the same bronze rows. Each pipeline ran "
            + "in its own JVM. Snapshot rates are compared with the COPY ceiling, backlog and live rates with the drain "
            + "ceiling; latency is from the source COMMIT returning to the client until a probe saw the change in bronze "
            + "(live only). A measurement whose outcome is not ok did not finish: its figures are partial.";
    static final String RATIOS = "Each peer measurement divided by ours on the same placement, scenario and offered "
            + "rate (and the same setting where ours measured it; otherwise each of our settings, named). Throughput "
            + "peer/ours below 1 means the peer is slower; p99 latency peer/ours above 1 means the peer is slower. No "
            + "ratio is given where either side did not finish.";
    static final String CEILINGS = "What this machine can do at most, measured in the same run on the same changes: "
            + "a bare reader of the pgoutput replication stream (drain), and COPY into a bronze-shaped table.";
    static final String INTEGRITY = "After its last scenario, every pipeline's bronze went through the shared "
            + "validators: dense lsn, no duplicates, the source's commit order, replay equals source. A peer that "
            + "loses, doubles or misorders changes shows here as FAIL.";
    static final String CHARTS = "Measurements that did not finish (outcome other than ok) are left out of the "
            + "charts; the tables show them.";
    static final String RERENDER = "java -cp <benchmarks classpath> io.bronzecdc.bench.report.ReportFiles "
            + "report.json [outdir]";

    private ReportText() {
    }

    /** What a placement of bronze means for the figures. */
    static String placement(String placement) {
        return switch (String.valueOf(placement)) {
            case "same-server" -> "Bronze in the source cluster: the walsender also reads the WAL of bronze's own "
                    + "writes.";
            case "separate-server" -> "Bronze in a separate server (the target: connection): the source's WAL holds "
                    + "only the workload's changes.";
            default -> "Bronze placement " + placement + ".";
        };
    }
}
