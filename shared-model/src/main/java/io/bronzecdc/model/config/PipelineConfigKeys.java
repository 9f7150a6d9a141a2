package io.bronzecdc.model.config;

import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.TablePattern;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Every key of the pipeline config file, declared once. Each constant is named after its key. Keys can be written
 * nested ({@code source: {slot: {name: x}}}) or dotted ({@code source.slot.name: x}). Security-sensitive keys
 * (password, {@code sslmode}, slot and publication name) have no default: a silent default sends data in
 * plaintext, or makes two pipelines share one replication slot.
 */
public final class PipelineConfigKeys {
    private static final Pattern ENVIRONMENT_VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Host name or IP address of the PostgreSQL source server. */
    public static final ConfigKey<String> SOURCE_HOST = ConfigKey.required("source.host", TextType.nonBlank(),
            "Host name or IP address of the PostgreSQL source server.");

    /** TCP port of the PostgreSQL source server. */
    public static final ConfigKey<Integer> SOURCE_PORT = ConfigKey.withDefault("source.port",
            new IntegerType(1, 65535), 5432, "TCP port of the PostgreSQL source server.");

    /** The source database holding the captured tables. */
    public static final ConfigKey<String> SOURCE_DATABASE = ConfigKey.required("source.database",
            TextType.nonBlank(), "The source database holding the captured tables.");

    /** The role the pipeline logs in as. */
    public static final ConfigKey<String> SOURCE_USER = ConfigKey.required("source.user", TextType.nonBlank(),
            "The role the pipeline logs in as; it needs the REPLICATION attribute and SELECT on the tables.");

    /**
     * Not a key: a password written in the config file is rejected, because config files end up in version
     * control and logs. Use {@link #SOURCE_PASSWORD_ENV} or {@link #SOURCE_PASSWORD_FILE}.
     */
    public static final String SOURCE_PASSWORD = "source.password";

    /** Name of the environment variable holding the source password. Exactly one of this and the file key. */
    public static final ConfigKey<String> SOURCE_PASSWORD_ENV = ConfigKey.optional("source.password.env",
            environmentVariable(),
            "Name of the environment variable holding the source password; the variable must be set and not"
                    + " empty. Give exactly one of source.password.env and source.password.file.");

    /** Path of a file holding the source password. Exactly one of this and the environment key. */
    public static final ConfigKey<Path> SOURCE_PASSWORD_FILE = ConfigKey.optional("source.password.file",
            passwordFile(),
            "Path of a file whose content is the source password; trailing line breaks are removed. A relative"
                    + " path is resolved against the working directory of the job. Give exactly one of"
                    + " source.password.env and source.password.file.");

    /** How the source connection is protected; required, because the driver's default can fall back to plaintext. */
    public static final ConfigKey<SslMode> SOURCE_SSLMODE = ConfigKey.required("source.sslmode", sslMode(),
            "PostgreSQL sslmode of the source connection. Required, with no default: the driver's own default"
                    + " 'prefer' falls back to plaintext without a word. Only verify-ca and verify-full check the"
                    + " server.");

    /** The logical replication slot of this pipeline. */
    public static final ConfigKey<String> SOURCE_SLOT_NAME = ConfigKey.required("source.slot.name",
            TextType.of("a replication slot name: 1 to 63 characters from [a-z0-9_]",
                    PipelineConfig.SourceConfig::requireSlotName, ""),
            "The logical replication slot of this pipeline. Required, with no default: two pipelines on one slot"
                    + " either fail to start or each skip the changes the other confirmed. One slot per pipeline.");

    /** The publication listing the captured tables. */
    public static final ConfigKey<String> SOURCE_PUBLICATION_NAME = ConfigKey.required("source.publication.name",
            identifier(), "The publication listing the captured tables (CREATE PUBLICATION ... FOR TABLE ...).");

    /** Which source the Flink engine reads the slot with. */
    public static final ConfigKey<SourceConnector> SOURCE_CONNECTOR = ConfigKey.withDefault("source.connector",
            new TextType<>("one of " + SourceConnector.valueList(), SourceConnector::parse, SourceConnector::value,
                    ""), SourceConnector.PGOUTPUT,
            "Which source the Flink engine reads the slot with: pgoutput (its own reader of the replication protocol,"
                    + " decoded by the same code as the Spark engine) or flink-cdc (Flink CDC's Postgres source, which"
                    + " cannot capture tables without a primary key, names with spaces, dots or non-ASCII letters,"
                    + " columns differing only in case, and some types). The Spark engine ignores it.");

    /** Where the target keys below start; a config without any of them writes bronze into the source database. */
    public static final String TARGET = "target";

    private static final String TARGET_ONLY = " Only with a target: block, which puts bronze into another database"
            + " (or server) than the source; without one, bronze is written to the source database.";

    /** Host name or IP address of the server holding the bronze database. */
    public static final ConfigKey<String> TARGET_HOST = ConfigKey.optional("target.host", TextType.nonBlank(),
            "Host name or IP address of the server the bronze tables are written to. Required in a target: block."
                    + TARGET_ONLY);

    /** TCP port of the bronze target server. */
    public static final ConfigKey<Integer> TARGET_PORT = ConfigKey.optional("target.port",
            new IntegerType(1, 65535), "TCP port of the bronze target server; 5432 when left out." + TARGET_ONLY);

    /** The database the bronze tables are written to. */
    public static final ConfigKey<String> TARGET_DATABASE = ConfigKey.optional("target.database",
            TextType.nonBlank(), "The database the bronze tables are written to. Required in a target: block."
                    + TARGET_ONLY);

    /** The role the pipeline writes bronze as. */
    public static final ConfigKey<String> TARGET_USER = ConfigKey.optional("target.user", TextType.nonBlank(),
            "The role the pipeline writes bronze as; it needs CREATE on the target database (or on the bronze"
                    + " schema). Required in a target: block." + TARGET_ONLY);

    /** Not a key: a target password written in the config file is rejected, like {@link #SOURCE_PASSWORD}. */
    public static final String TARGET_PASSWORD = "target.password";

    /** Name of the environment variable holding the target password. */
    public static final ConfigKey<String> TARGET_PASSWORD_ENV = ConfigKey.optional("target.password.env",
            environmentVariable(), "Name of the environment variable holding the target password. In a target:"
                    + " block, give exactly one of target.password.env and target.password.file." + TARGET_ONLY);

    /** Path of a file holding the target password. */
    public static final ConfigKey<Path> TARGET_PASSWORD_FILE = ConfigKey.optional("target.password.file",
            passwordFile(), "Path of a file whose content is the target password; trailing line breaks are"
                    + " removed. In a target: block, give exactly one of target.password.env and"
                    + " target.password.file." + TARGET_ONLY);

    /** How the target connection is protected. */
    public static final ConfigKey<SslMode> TARGET_SSLMODE = ConfigKey.optional("target.sslmode", sslMode(),
            "PostgreSQL sslmode of the target connection. Required in a target: block, with no default, as for"
                    + " source.sslmode." + TARGET_ONLY);

    /** The schema the bronze change-log tables are written to. */
    public static final ConfigKey<String> BRONZE_SCHEMA = ConfigKey.withDefault("bronze.schema", identifier(),
            "cdc_bronze", "The schema the bronze change-log tables br_<table>_cdc are written to.");

    /** The source tables to capture, shorthand form: the include patterns. */
    public static final ConfigKey<List<TablePattern>> TABLES = ConfigKey.required("tables",
            new TablePatternListType(false),
            "The source tables to capture, as patterns resolved against the catalog at every start: the shorthand"
                    + " of tables.include. Give exactly one of tables and tables.include.");

    /** The patterns of the source tables to capture. */
    public static final ConfigKey<List<TablePattern>> TABLES_INCLUDE = ConfigKey.optional("tables.include",
            new TablePatternListType(false),
            "Patterns of the source tables to capture (ordinary and partitioned tables; a partition is captured"
                    + " through its root). Each must match at least one table. Give exactly one of tables and"
                    + " tables.include.");

    /** The patterns of tables left out. */
    public static final ConfigKey<List<TablePattern>> TABLES_EXCLUDE = ConfigKey.optional("tables.exclude",
            new TablePatternListType(true),
            "Patterns of tables left out even when tables.include matches them. Only with tables.include.");

    /** How often the batch engine runs a micro-batch. */
    public static final ConfigKey<Duration> BATCH_INTERVAL = ConfigKey.withDefault("batch.interval",
            DurationSyntax.type(), Duration.ofMinutes(5), "How often the Spark engine runs a micro-batch.");

    /** The largest acceptable delay between a commit in the source and its bronze row. */
    public static final ConfigKey<Duration> LAG_THRESHOLD = ConfigKey.withDefault("lag.threshold",
            DurationSyntax.type(), Duration.ofMinutes(10),
            "The largest acceptable delay between a commit in the source and its row in bronze; a larger lag is"
                    + " reported.");

    /** How often the streaming engine checkpoints. */
    public static final ConfigKey<Duration> CHECKPOINT_INTERVAL = ConfigKey.withDefault("checkpoint.interval",
            DurationSyntax.type(), Duration.ofSeconds(1),
            "How often the Flink engine checkpoints; its bronze writes become durable at each checkpoint.");

    /** Every key, in the order of the config file's sections. */
    public static final List<ConfigKey<?>> ALL = List.of(SOURCE_HOST, SOURCE_PORT, SOURCE_DATABASE, SOURCE_USER,
            SOURCE_PASSWORD_ENV, SOURCE_PASSWORD_FILE, SOURCE_SSLMODE, SOURCE_SLOT_NAME, SOURCE_PUBLICATION_NAME, SOURCE_CONNECTOR,
            TARGET_HOST, TARGET_PORT, TARGET_DATABASE, TARGET_USER, TARGET_PASSWORD_ENV, TARGET_PASSWORD_FILE,
            TARGET_SSLMODE, BRONZE_SCHEMA, TABLES, TABLES_INCLUDE, TABLES_EXCLUDE, BATCH_INTERVAL, LAG_THRESHOLD, CHECKPOINT_INTERVAL);

    private PipelineConfigKeys() {
    }

    private static TextType<String> environmentVariable() {
        return TextType.of("an environment variable name ([A-Za-z_][A-Za-z0-9_]*)", name -> {
            if (!ENVIRONMENT_VARIABLE.matcher(name).matches()) {
                throw new IllegalArgumentException("not an environment variable name");
            }
            return name;
        }, "give the variable's name, such as PG_PASSWORD, not its value");
    }

    private static TextType<Path> passwordFile() {
        return new TextType<>("a file path", text -> {
            if (text.isBlank()) {
                throw new IllegalArgumentException("blank path");
            }
            return Path.of(text); // InvalidPathException is an IllegalArgumentException
        }, Path::toString, "");
    }

    private static TextType<SslMode> sslMode() {
        return new TextType<>("one of " + SslMode.valueList(), SslMode::parse, SslMode::value,
                "use verify-full in production; disable only for a local database");
    }

    private static TextType<String> identifier() {
        return TextType.of("a lower-case SQL identifier ([a-z_][a-z0-9_]*, at most 63 characters)",
                text -> TableId.requireIdentifier("value", text), "");
    }
}
