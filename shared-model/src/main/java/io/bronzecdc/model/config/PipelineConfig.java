package io.bronzecdc.model.config;

import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.TableSelection;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The validated configuration of one pipeline, shared by the Flink and the Spark engine. Build it with
 * {@link PipelineConfigLoader}, which reports every problem of a config file at once; the constructors here only
 * guard invariants against programming errors. {@code toString} masks the password.
 *
 * @param source the PostgreSQL database changes are captured from
 * @param bronze where the bronze change-log tables are written: schema, and database when not the source's
 * @param tables the source tables to capture, as patterns; {@link TableSelection#resolve} gives the tables
 * @param batchInterval how often the batch engine runs a micro-batch; positive
 * @param lagThreshold the largest acceptable delay between a commit in the source and its bronze row; positive
 * @param checkpointInterval how often the streaming engine checkpoints, which is also when its bronze writes
 *     become durable; positive
 * @param connector which source the Flink engine reads the slot with ({@code source.connector})
 */
public record PipelineConfig(SourceConfig source, BronzeConfig bronze, TableSelection tables, Duration batchInterval,
        Duration lagThreshold, Duration checkpointInterval, SourceConnector connector) {

    public PipelineConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(bronze, "bronze");
        Objects.requireNonNull(tables, "tables");
        requirePositive("batchInterval", batchInterval);
        requirePositive("lagThreshold", lagThreshold);
        requirePositive("checkpointInterval", checkpointInterval);
        Objects.requireNonNull(connector, "connector");
    }

    /** A config with the default connector ({@link SourceConnector#PGOUTPUT}). */
    public PipelineConfig(SourceConfig source, BronzeConfig bronze, TableSelection tables, Duration batchInterval,
            Duration lagThreshold, Duration checkpointInterval) {
        this(source, bronze, tables, batchInterval, lagThreshold, checkpointInterval, SourceConnector.PGOUTPUT);
    }

    /** This config with the Flink engine's source {@code connector}. */
    public PipelineConfig withConnector(SourceConnector connector) {
        return new PipelineConfig(source, bronze, tables, batchInterval, lagThreshold, checkpointInterval, connector);
    }

    /** A config that captures exactly {@code tables}. */
    public PipelineConfig(SourceConfig source, BronzeConfig bronze, List<TableId> tables, Duration batchInterval,
            Duration lagThreshold, Duration checkpointInterval) {
        this(source, bronze, TableSelection.exactly(tables), batchInterval, lagThreshold, checkpointInterval);
    }

    private static void requirePositive(String what, Duration duration) {
        Objects.requireNonNull(duration, what);
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive but was " + duration);
        }
    }

    /**
     * Where bronze is written: the {@code target:} database when the config has one, else the source database.
     */
    public Database bronzeDatabase() {
        return bronze.target().<Database>map(target -> target).orElse(source);
    }

    /** Whether bronze is written to another database than the source ({@code target:} given). */
    public boolean hasSeparateTarget() {
        return bronze.target().isPresent();
    }

    /**
     * A PostgreSQL database the pipeline connects to: the source, or the bronze target. The password is a
     * {@link Secret}, so neither {@code toString} nor {@link #jdbcUrl()} shows it.
     */
    public sealed interface Database permits SourceConfig, TargetConfig {
        String host();

        int port();

        String database();

        String user();

        Secret password();

        SslMode sslMode();

        /** The prefix of this database's keys in the config file, {@code source} or {@code target}. */
        String keyPrefix();

        /**
         * {@code jdbc:postgresql://host:port/database?sslmode=mode}, with the database name URL-encoded. Never
         * contains the user or the password; pass those as connection properties.
         */
        default String jdbcUrl() {
            String hostPart = host().indexOf(':') >= 0 && !host().startsWith("[") ? "[" + host() + "]" : host(); // IPv6
            return "jdbc:postgresql://" + hostPart + ":" + port() + "/"
                    + URLEncoder.encode(database(), StandardCharsets.UTF_8) + "?sslmode=" + sslMode().value();
        }
    }

    /**
     * The PostgreSQL source. The password is a {@link Secret}, so neither {@code toString} nor {@link #jdbcUrl()}
     * shows it; pass {@code password().reveal()} to the driver as a separate property.
     *
     * @param host host name or IP address of the server
     * @param port TCP port, 1..65535
     * @param database the database holding the captured tables
     * @param user the role the pipeline logs in as; it needs the REPLICATION attribute
     * @param password that role's password
     * @param sslMode how the connection is protected
     * @param slotName the logical replication slot of this pipeline; see {@link #requireSlotName}
     * @param publicationName the publication listing the captured tables; a lower-case identifier
     */
    public record SourceConfig(String host, int port, String database, String user, Secret password, SslMode sslMode,
            String slotName, String publicationName) implements Database {
        /**
         * PostgreSQL's rule for replication slot names, from {@code ReplicationSlotValidateName} in
         * {@code src/backend/replication/slot.c}: lower-case letters, digits and underscores, at most
         * {@code NAMEDATALEN - 1} = 63 characters.
         */
        private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");

        public SourceConfig {
            requireText("host", host);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1..65535 but was " + port);
            }
            requireText("database", database);
            requireText("user", user);
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(sslMode, "sslMode");
            requireSlotName(slotName);
            TableId.requireIdentifier("publicationName", publicationName);
        }

        /**
         * Checks a replication slot name against PostgreSQL's rule: 1 to 63 characters from {@code [a-z0-9_]}.
         *
         * @throws IllegalArgumentException quoting the name
         */
        public static String requireSlotName(String slotName) {
            if (slotName == null || !SLOT_NAME.matcher(slotName).matches()) {
                throw new IllegalArgumentException("slotName must be 1 to 63 characters from [a-z0-9_] but was "
                        + (slotName == null ? "null" : "'" + slotName + "'"));
            }
            return slotName;
        }

        static void requireText(String what, String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank but was "
                        + (value == null ? "null" : "'" + value + "'"));
            }
        }

        @Override
        public String keyPrefix() {
            return "source";
        }

        /** All components, with the password as {@value Secret#MASK}. */
        @Override
        public String toString() {
            return "SourceConfig[host=" + host + ", port=" + port + ", database=" + database + ", user=" + user
                    + ", password=" + Secret.MASK + ", sslMode=" + sslMode.value() + ", slotName=" + slotName
                    + ", publicationName=" + publicationName + "]";
        }
    }

    /**
     * Where the bronze change-log tables are written.
     *
     * @param schema the schema holding the bronze tables; a lower-case identifier
     * @param target the database holding the bronze schema when it is not the source database ({@code target:})
     */
    public record BronzeConfig(String schema, Optional<TargetConfig> target) {
        public BronzeConfig {
            TableId.requireIdentifier("schema", schema);
            Objects.requireNonNull(target, "target");
        }

        /** Bronze in the source database. */
        public BronzeConfig(String schema) {
            this(schema, Optional.empty());
        }
    }

    /**
     * The database bronze is written to when it is not the source ({@code target:} in the config file): the same
     * connection keys as the source, without slot and publication, with its own password.
     *
     * @param host host name or IP address of the server
     * @param port TCP port, 1..65535
     * @param database the database the bronze schema is created in
     * @param user the role bronze is written as
     * @param password that role's password
     * @param sslMode how the connection is protected
     */
    public record TargetConfig(String host, int port, String database, String user, Secret password, SslMode sslMode)
            implements Database {
        public TargetConfig {
            SourceConfig.requireText("host", host);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1..65535 but was " + port);
            }
            SourceConfig.requireText("database", database);
            SourceConfig.requireText("user", user);
            Objects.requireNonNull(password, "password");
            Objects.requireNonNull(sslMode, "sslMode");
        }

        @Override
        public String keyPrefix() {
            return "target";
        }

        /** All components, with the password as {@value Secret#MASK}. */
        @Override
        public String toString() {
            return "TargetConfig[host=" + host + ", port=" + port + ", database=" + database + ", user=" + user
                    + ", password=" + Secret.MASK + ", sslMode=" + sslMode.value() + "]";
        }
    }
}
