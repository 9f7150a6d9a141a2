package io.bronzecdc.model.validate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The result of validating one bronze schema: what each table holds and every violation found. Prints as a
 * table for people ({@link #toText()}) and as JSON for machines ({@link #toJson()}).
 *
 * @param schema the bronze schema
 * @param checkedAt when the validation ran
 * @param tables per-table statistics, in the order validated
 * @param violations every failed check; empty when the log is correct
 * @param slot the replication slot, when one was named and found
 */
public record ValidationReport(
        String schema, Instant checkedAt, List<TableStats> tables, List<Violation> violations,
        Optional<SlotStats> slot) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public ValidationReport {
        tables = List.copyOf(tables);
        violations = List.copyOf(violations);
    }

    /** Whether every check passed. */
    public boolean passed() {
        return violations.isEmpty();
    }

    /** The violations of one check. */
    public List<Violation> violationsOf(Check check) {
        return violations.stream().filter(v -> v.check() == check).toList();
    }

    /** The statistics of one table. */
    public Optional<TableStats> table(String name) {
        return tables.stream().filter(t -> t.table().equals(name)).findFirst();
    }

    /** The report as an aligned text table plus one line per violation. */
    public String toText() {
        StringBuilder out = new StringBuilder();
        out.append("bronze-cdc validation of schema ").append(schema).append(" at ").append(checkedAt).append('\n');
        String format = "%-10s %10s %8s %10s %10s %10s %8s %8s %-8s %9s %9s%n";
        out.append(String.format(Locale.ROOT, format, "table", "rows", "min_lsn", "max_lsn", "distinct", "I", "U",
                "D", "payload", "lag_s", "lsn/s"));
        for (TableStats t : tables) {
            out.append(String.format(Locale.ROOT, format, t.table(), t.rows(), t.lsn().min(), t.lsn().max(),
                    t.lsn().distinct(), t.ops().inserts(), t.ops().updates(), t.ops().deletes(),
                    t.nonObjectPayloads() == 0 ? "objects" : t.nonObjectPayloads() + " bad",
                    t.lag() == null ? "-" : String.format(Locale.ROOT, "%.1f", t.lag().toMillis() / 1000.0),
                    String.format(Locale.ROOT, "%.1f", t.lsnPerSecond())));
        }
        slot.ifPresent(s -> out.append("slot ").append(s.name()).append(s.active() ? " (active)" : " (inactive)")
                .append(" retains ").append(s.retainedWalBytes()).append(" bytes of WAL\n"));
        if (passed()) {
            out.append("checks: PASSED (").append(Check.values().length).append(" checks, 0 violations)\n");
        } else {
            out.append("checks: FAILED (").append(violations.size()).append(" violations)\n");
            violations.forEach(v -> out.append("  ").append(v).append('\n'));
        }
        return out.toString();
    }

    /** The report as one JSON object. */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("schema", schema);
        root.put("checked_at", checkedAt.toString());
        root.put("passed", passed());
        ArrayNode tableNodes = root.putArray("tables");
        for (TableStats t : tables) {
            ObjectNode node = tableNodes.addObject();
            node.put("table", t.table());
            node.put("rows", t.rows());
            node.put("min_lsn", t.lsn().min());
            node.put("max_lsn", t.lsn().max());
            node.put("distinct_lsn", t.lsn().distinct());
            ObjectNode ops = node.putObject("ops");
            ops.put("I", t.ops().inserts());
            ops.put("U", t.ops().updates());
            ops.put("D", t.ops().deletes());
            node.put("non_object_payloads", t.nonObjectPayloads());
            if (t.lag() == null) {
                node.putNull("lag_seconds");
            } else {
                node.put("lag_seconds", t.lag().toMillis() / 1000.0);
            }
            node.put("lsn_per_second", t.lsnPerSecond());
        }
        slot.ifPresent(s -> {
            ObjectNode node = root.putObject("slot");
            node.put("name", s.name());
            node.put("active", s.active());
            node.put("retained_wal_bytes", s.retainedWalBytes());
        });
        ArrayNode violationNodes = root.putArray("violations");
        for (Violation v : violations) {
            ObjectNode node = violationNodes.addObject();
            node.put("table", v.table());
            node.put("check", v.check().id());
            node.put("count", v.count());
            node.put("example", v.example());
        }
        return root.toString();
    }
}
