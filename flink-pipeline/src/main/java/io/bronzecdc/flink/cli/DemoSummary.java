package io.bronzecdc.flink.cli;

import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.validate.TableStats.OpMix;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The first part of the demo's final report: the seed's reference check on the snapshot rows (every loaded row
 * once, lsn dense from 1, DESIGN.md section 2), then the live changes per table and op, bronze against what the
 * workload committed, and the workload's asked and achieved rates. The validation report follows it.
 *
 * @param snapshot one line per table
 * @param live one line per table
 * @param rate what the workload asked and achieved
 */
record DemoSummary(List<SnapshotLine> snapshot, List<LiveLine> live, WorkloadRate rate) {
    DemoSummary {
        snapshot = List.copyOf(snapshot);
        live = List.copyOf(live);
    }

    /**
     * The snapshot rows of one bronze log (the rows with no source transaction).
     *
     * @param table the source table
     * @param loaded rows loaded into the source before the job started
     * @param rows snapshot rows in bronze
     * @param minLsn their min(lsn), 0 when none
     * @param maxLsn their max(lsn), 0 when none
     * @param distinct their count(distinct lsn)
     */
    record SnapshotLine(TableId table, long loaded, long rows, long minLsn, long maxLsn, long distinct) {
        /** Every loaded row once, at lsn 1..loaded. */
        boolean ok() {
            return rows == loaded && distinct == loaded && maxLsn == loaded && (loaded == 0 || minLsn == 1);
        }
    }

    /**
     * The live changes of one table.
     *
     * @param table the source table
     * @param committed what the workload committed, by op
     * @param bronze the streamed rows in bronze (the rows with a source transaction), by op
     */
    record LiveLine(TableId table, OpMix committed, OpMix bronze) {
        boolean ok() {
            return committed.equals(bronze);
        }
    }

    /** Reads the bronze side of both sections; call it once bronze holds every committed change. */
    static DemoSummary read(Connection c, BronzeSchema schema, Map<TableId, Long> loaded, LiveTally tally,
            WorkloadRate rate) throws SQLException {
        List<SnapshotLine> snapshot = new ArrayList<>();
        List<LiveLine> live = new ArrayList<>();
        try (Statement s = c.createStatement()) {
            for (Map.Entry<TableId, Long> table : loaded.entrySet()) {
                String log = schema.tableOf(table.getKey());
                try (ResultSet rs = s.executeQuery("SELECT count(*), coalesce(min(lsn), 0), coalesce(max(lsn), 0),"
                        + " count(DISTINCT lsn) FROM " + log + " WHERE " + BronzeSchema.TX_ID + " IS NULL")) {
                    rs.next();
                    snapshot.add(new SnapshotLine(table.getKey(), table.getValue(), rs.getLong(1), rs.getLong(2),
                            rs.getLong(3), rs.getLong(4)));
                }
                try (ResultSet rs = s.executeQuery("SELECT count(*) FILTER (WHERE op = 'I'),"
                        + " count(*) FILTER (WHERE op = 'U'), count(*) FILTER (WHERE op = 'D') FROM " + log
                        + " WHERE " + BronzeSchema.TX_ID + " IS NOT NULL")) {
                    rs.next();
                    live.add(new LiveLine(table.getKey(), tally.ops(table.getKey()),
                            new OpMix(rs.getLong(1), rs.getLong(2), rs.getLong(3))));
                }
            }
        }
        return new DemoSummary(snapshot, live, rate);
    }

    /** Whether the snapshot and the live changes are all in bronze, each once. */
    boolean passed() {
        return snapshot.stream().allMatch(SnapshotLine::ok) && live.stream().allMatch(LiveLine::ok);
    }

    String toText() {
        StringBuilder out = new StringBuilder();
        out.append("snapshot: the seed's reference check (every loaded row once in bronze, lsn dense from 1)\n");
        String format = "  %-10s %10s %10s %8s %10s %10s  %s%n";
        out.append(String.format(Locale.ROOT, format, "table", "loaded", "rows", "min_lsn", "max_lsn", "distinct",
                "check"));
        for (SnapshotLine line : snapshot) {
            out.append(String.format(Locale.ROOT, format, line.table().name(), n(line.loaded()), n(line.rows()),
                    n(line.minLsn()), n(line.maxLsn()), n(line.distinct()),
                    line.ok() ? "ok" : "MISMATCH: expected " + n(line.loaded()) + " rows at lsn 1.." + line.loaded()));
        }
        out.append("live changes: ").append(rate.describe()).append('\n');
        String liveFormat = "  %-10s %10s %10s %10s %10s  %s%n";
        out.append(String.format(Locale.ROOT, liveFormat, "table", "I", "U", "D", "total", "check"));
        for (LiveLine line : live) {
            OpMix b = line.bronze();
            out.append(String.format(Locale.ROOT, liveFormat, line.table().name(), n(b.inserts()), n(b.updates()),
                    n(b.deletes()), n(b.inserts() + b.updates() + b.deletes()),
                    line.ok() ? "ok (= committed)" : "MISMATCH: the workload committed I/U/D "
                            + n(line.committed().inserts()) + "/" + n(line.committed().updates()) + "/"
                            + n(line.committed().deletes())));
        }
        return out.toString();
    }

    private static String n(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }
}
