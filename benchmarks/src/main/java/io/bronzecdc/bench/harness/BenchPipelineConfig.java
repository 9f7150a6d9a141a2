package io.bronzecdc.bench.harness;

import io.bronzecdc.model.event.TableId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The pipeline YAML every engine and peer of a harness run reads: the source database on the harness's server, the
 * pipeline's own slot ({@code <slot>_pub} its publication) and bronze schema, every benchmark table, and optionally
 * a separate server for bronze ({@code target:}). The password comes from a file; the servers the harness starts
 * trust loopback connections, so its content is not a secret.
 *
 * @param port the source server's port
 * @param database the source database
 * @param user the role every connection uses
 * @param passwordFile the file the password is read from
 * @param slot the replication slot
 * @param bronzeSchema the bronze schema
 * @param checkpoint the Flink checkpoint interval
 * @param sparkSchedule the Spark micro-batch interval ({@code batch.interval})
 * @param target the bronze server's port and database, when bronze is in a separate server
 */
public record BenchPipelineConfig(int port, String database, String user, String passwordFile, String slot,
        String bronzeSchema, Duration checkpoint, Duration sparkSchedule, Optional<Target> target) {
    /** A separate server for bronze. */
    public record Target(int port, String database) {
    }

    /** The publication every pipeline reads: {@code <slot>_pub}. */
    public String publication() {
        return slot + "_pub";
    }

    /** This config with another checkpoint interval. */
    public BenchPipelineConfig withCheckpoint(Duration interval) {
        return new BenchPipelineConfig(port, database, user, passwordFile, slot, bronzeSchema, interval,
                sparkSchedule, target);
    }

    /** The YAML text. */
    public String yaml() {
        List<String> lines = new ArrayList<>(List.of(
                "source:",
                "  host: 127.0.0.1",
                "  port: " + port,
                "  database: " + database,
                "  user: " + user,
                "  password:",
                "    file: " + passwordFile,
                "  sslmode: disable",
                "  slot:",
                "    name: " + slot,
                "  publication:",
                "    name: " + publication()));
        target.ifPresent(t -> lines.addAll(List.of(
                "target:",
                "  host: 127.0.0.1",
                "  port: " + t.port(),
                "  database: " + t.database(),
                "  user: " + user,
                "  password:",
                "    file: " + passwordFile,
                "  sslmode: disable")));
        lines.addAll(List.of(
                "bronze:",
                "  schema: " + bronzeSchema,
                "tables: [" + String.join(", ", BenchData.TABLES.stream().map(TableId::toString).toList()) + "]",
                "checkpoint:",
                "  interval: " + checkpoint.toMillis() + "ms",
                "batch:",
                "  interval: " + sparkSchedule.toMillis() + "ms",
                ""));
        return String.join("\n", lines);
    }
}
