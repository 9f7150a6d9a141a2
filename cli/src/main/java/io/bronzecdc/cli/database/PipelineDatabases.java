package io.bronzecdc.cli.database;

import io.bronzecdc.cli.CommandException;
import io.bronzecdc.cli.ConfigOption;
import io.bronzecdc.model.ExitCode;
import io.bronzecdc.model.bronze.BronzeMigrator;
import io.bronzecdc.model.bronze.BronzeSchema;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.PipelineConfigDescriber;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SourceConnections;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;

/**
 * The pipeline's two databases as a database subcommand uses them: the config loaded and described once (password
 * masked) on the command's error stream, a connection to the source and one to the database bronze is written to
 * (the same connection when the config has no {@code target:}).
 */
final class PipelineDatabases implements AutoCloseable {
    private final PipelineConfig config;
    private final String configName;
    private final Connection source;
    private final Connection bronze;

    private PipelineDatabases(PipelineConfig config, String configName, Connection source, Connection bronze) {
        this.config = config;
        this.configName = configName;
        this.source = source;
        this.bronze = bronze;
    }

    /**
     * Loads the config, prints it (secrets masked) and connects to both databases.
     *
     * @param command the subcommand's name, shown in {@code pg_stat_activity.application_name}
     * @throws io.bronzecdc.model.config.ConfigException naming every bad key (exit 2)
     * @throws io.bronzecdc.model.postgres.SourceConnectionException when a database cannot be reached (exit 2)
     */
    static PipelineDatabases open(ConfigOption option, PrintWriter err, String command) throws SQLException {
        PipelineConfig config = option.load();
        err.println("bronze-cdc " + command + ": pipeline " + PipelineConfigDescriber.describe(config));
        err.flush();
        Connection source = SourceConnections.of(config.source(), "cli").open(command);
        try {
            Connection bronze = config.hasSeparateTarget()
                    ? SourceConnections.target(config, "cli").open(command) : source;
            return new PipelineDatabases(config, option.file().toString(), source, bronze);
        } catch (SQLException | RuntimeException e) {
            source.close();
            throw e;
        }
    }

    PipelineConfig config() {
        return config;
    }

    /** The config file as given, for messages. */
    String configName() {
        return configName;
    }

    Connection source() {
        return source;
    }

    /** The database bronze is written to; {@link #source()} itself without a {@code target:}. */
    Connection bronze() {
        return bronze;
    }

    BronzeSchema schema() {
        return new BronzeSchema(config.bronze().schema());
    }

    /** The database bronze is in, for messages. */
    String bronzeDatabase() {
        return config.bronzeDatabase().database();
    }

    /** The tables the config's patterns select now. @throws io.bronzecdc.model.config.ConfigException (exit 2) */
    List<TableId> resolveTables() throws SQLException {
        return config.tables().resolve(source, config.bronze().schema(), configName);
    }

    /** Whether {@code schema} exists in the bronze database. */
    boolean bronzeSchemaExists(String schema) throws SQLException {
        try (PreparedStatement ps = bronze.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * The tables bronze schema {@code schema} captures: those of the config's selection that have a change log
     * (recorded in {@code bronze_tables}), in the selection's order.
     *
     * @throws CommandException with {@link ExitCode#NOT_READY} when the schema is missing or captures none of them
     */
    List<TableId> capturedTables(BronzeSchema schema, String command) throws SQLException {
        if (!bronzeSchemaExists(schema.name())) {
            throw new CommandException(ExitCode.NOT_READY, "bronze schema " + schema + " does not exist in database "
                    + bronzeDatabase() + ": run bronze-cdc init --config " + configName + " and a capture (stream"
                    + " or batch) first, or check bronze.schema" + ("validate".equals(command) ? " or --schema" : ""));
        }
        Set<TableId> captured = BronzeMigrator.capturedTables(bronze, schema);
        List<TableId> tables = resolveTables().stream().filter(captured::contains).toList();
        if (tables.isEmpty()) {
            throw new CommandException(ExitCode.NOT_READY, "bronze schema " + schema + " in database "
                    + bronzeDatabase() + " holds no change log of the pipeline's tables " + config.tables()
                    + ": run a capture (bronze-cdc stream or batch) first, or check bronze.schema and tables");
        }
        return tables;
    }

    @Override
    public void close() throws SQLException {
        try {
            if (bronze != source) {
                bronze.close();
            }
        } finally {
            source.close();
        }
    }
}
