package io.bronzecdc.bench.harness;

import io.bronzecdc.model.config.SourceConnector;
import io.bronzecdc.model.event.TableId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The pipeline YAML every engine and peer of a harness run reads: the source database on the harness's server, the
 * pipeline's own slot ({@code <slot>_pub} its publication) and bronze schema, every benchmark table, and optionally
 * a separate server for bronze ({@code target:}). The password is named by its place (a file or an environment
 * variable), never written here.
 *
 * @param host the source server's host
 * @param port the source server's port
 * @param database the source database
 * @param user the role every connection uses
 * @param passwordSource the lines under {@code password:}, for example {@code file: /path}
 * @param slot the replication slot
 * @param bronzeSchema the bronze schema
 * @param checkpoint the Flink checkpoint interval
 * @param sparkSchedule the Spark micro-batch interval ({@code batch.interval})
 * @param target the bronze server's port and database, when bronze is in a separate server
 * @param sourceConnector the Flink job's {@code source.connector}, when not its default
 */
public record BenchPipelineConfig(String host, int port, String database, String user, String passwordSource,
        String slot,
        String bronzeSchema, Duration checkpoint, Duration sparkSchedule, Optional<Target> target,
        Optional<SourceConnector> sourceConnector) {
    /** A config with the Flink job's default source. */
    public BenchPipelineConfig(String host, int port, String database, String user, String passwordSource,
            String slot, String bronzeSchema, Duration checkpoint, Duration sparkSchedule, Optional<Target> target) {
        this(host, port, database, user, passwordSource, slot, bronzeSchema, checkpoint, sparkSchedule, target,
                Optional.empty());
    }

    /** A separate server for bronze. */
    public record Target(String host, int port, String database, String user, String passwordSource) {
    }

    /** The publication every pipeline reads: {@code <slot>_pub}. */
    public String publication() {
        return slot + "_pub";
    }

    /** This config with another checkpoint interval. */
    public BenchPipelineConfig withCheckpoint(Duration interval) {
        return new BenchPipelineConfig(host, port, database, user, passwordSource, slot, bronzeSchema, interval,
                sparkSchedule, target, sourceConnector);
    }

    /** This config with {@code source.connector: <connector>}, or without the line (the default) when empty. */
    public BenchPipelineConfig withSourceConnector(Optional<SourceConnector> connector) {
        return new BenchPipelineConfig(host, port, database, user, passwordSource, slot, bronzeSchema, checkpoint,
                sparkSchedule, target, connector);
    }

    /** The YAML text. */
    public String yaml() {
        List<String> lines = new ArrayList<>(List.of(
                "source:",
                "  host: " + host,
                "  port: " + port,
                "  database: " + database,
                "  user: " + user,
                "  password:",
                "    " + passwordSource,
                "  sslmode: disable"));
        sourceConnector.ifPresent(connector -> lines.add("  connector: " + connector.value()));
        lines.addAll(List.of(
                "  slot:",
                "    name: " + slot,
                "  publication:",
                "    name: " + publication()));
        target.ifPresent(t -> lines.addAll(List.of(
                "target:",
                "  host: " + t.host(),
                "  port: " + t.port(),
                "  database: " + t.database(),
                "  user: " + t.user(),
                "  password:",
                "    " + t.passwordSource(),
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
