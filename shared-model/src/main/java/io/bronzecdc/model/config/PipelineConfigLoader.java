package io.bronzecdc.model.config;

import static io.bronzecdc.model.config.PipelineConfigKeys.BATCH_INTERVAL;
import static io.bronzecdc.model.config.PipelineConfigKeys.BRONZE_SCHEMA;
import static io.bronzecdc.model.config.PipelineConfigKeys.CHECKPOINT_INTERVAL;
import static io.bronzecdc.model.config.PipelineConfigKeys.SOURCE_CONNECTOR;
import static io.bronzecdc.model.config.PipelineConfigKeys.LAG_THRESHOLD;
import static io.bronzecdc.model.config.PipelineConfigKeys.SOURCE_DATABASE;
import static io.bronzecdc.model.config.PipelineConfigKeys.SOURCE_HOST;
import static io.bronzecdc.model.config.PipelineConfigKeys.SOURCE_PASSWORD;
import static io.bronzecdc.model.config.PipelineConfigKeys.SOURCE_PASSWORD_ENV;
import static io.bronzecdc.model.config.PipelineConfigKeys.SOURCE_PASSWORD_FILE;
import static io.bronzecdc.model.config.PipelineConfigKeys.SOURCE_PORT;
import static io.bronzecdc.model.config.PipelineConfigKeys.SOURCE_PUBLICATION_NAME;
import static io.bronzecdc.model.config.PipelineConfigKeys.SOURCE_SLOT_NAME;
import static io.bronzecdc.model.config.PipelineConfigKeys.SOURCE_SSLMODE;
import static io.bronzecdc.model.config.PipelineConfigKeys.SOURCE_USER;
import static io.bronzecdc.model.config.PipelineConfigKeys.TABLES;
import static io.bronzecdc.model.config.PipelineConfigKeys.TARGET;
import static io.bronzecdc.model.config.PipelineConfigKeys.TARGET_DATABASE;
import static io.bronzecdc.model.config.PipelineConfigKeys.TARGET_HOST;
import static io.bronzecdc.model.config.PipelineConfigKeys.TARGET_PASSWORD;
import static io.bronzecdc.model.config.PipelineConfigKeys.TARGET_PASSWORD_ENV;
import static io.bronzecdc.model.config.PipelineConfigKeys.TARGET_PASSWORD_FILE;
import static io.bronzecdc.model.config.PipelineConfigKeys.TARGET_PORT;
import static io.bronzecdc.model.config.PipelineConfigKeys.TARGET_SSLMODE;
import static io.bronzecdc.model.config.PipelineConfigKeys.TARGET_USER;
import static io.bronzecdc.model.config.PipelineConfigKeys.TABLES_EXCLUDE;
import static io.bronzecdc.model.config.PipelineConfigKeys.TABLES_INCLUDE;

import com.fasterxml.jackson.databind.JsonNode;
import io.bronzecdc.model.config.PipelineConfig.BronzeConfig;
import io.bronzecdc.model.config.PipelineConfig.SourceConfig;
import io.bronzecdc.model.config.PipelineConfig.TargetConfig;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.source.TablePattern;
import io.bronzecdc.model.source.TableSelection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a {@link PipelineConfig} from one YAML file. Every problem in the file is collected (unknown keys with a
 * "did you mean" hint, wrong types, missing required keys, bad values, an unusable password source, unsupported
 * tables) and thrown together as one {@link ConfigException}, so nothing connects with half a configuration and
 * one edit can fix everything.
 */
public final class PipelineConfigLoader {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineConfigLoader.class);

    /** Leaves of the document not read yet; what is left after reading every key is unknown. */
    private final Map<String, JsonNode> unread;
    private final List<ConfigProblem> problems;
    private final PasswordResolver passwords;

    private PipelineConfigLoader(Map<String, JsonNode> leaves, List<ConfigProblem> problems,
            Function<String, String> environment) {
        this.unread = leaves;
        this.problems = problems;
        this.passwords = new PasswordResolver(environment, problems);
    }

    /**
     * Loads the config file, taking the password from the process environment when the file names a variable.
     *
     * @throws ConfigException listing every problem, including a missing or unreadable file
     */
    public static PipelineConfig load(Path yamlFile) {
        return load(yamlFile, System::getenv);
    }

    /**
     * Loads the config file, looking environment variables up in {@code environment}.
     *
     * @param environment returns the value of the named variable, or null when it is not set
     * @throws ConfigException listing every problem, including a missing or unreadable file
     */
    public static PipelineConfig load(Path yamlFile, Function<String, String> environment) {
        Objects.requireNonNull(yamlFile, "yamlFile");
        String sourceName = yamlFile.toAbsolutePath().toString();
        String yaml;
        try {
            yaml = Files.readString(yamlFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            String found = e instanceof NoSuchFileException ? "no such file"
                    : "an unreadable file (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
            throw new ConfigException(sourceName, List.of(new ConfigProblem("config file",
                    "a readable UTF-8 YAML file at " + sourceName, found,
                    "check the path given to the job and that the job's user may read it")), e);
        }
        return parse(yaml, sourceName, environment);
    }

    /**
     * Parses config text, for tests and for configs that do not come from a file.
     *
     * @param yaml the YAML document
     * @param sourceName where the text came from, used in the exception message
     * @param environment returns the value of the named variable, or null when it is not set
     * @throws ConfigException listing every problem
     */
    public static PipelineConfig parse(String yaml, String sourceName, Function<String, String> environment) {
        Objects.requireNonNull(yaml, "yaml");
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(environment, "environment");
        List<ConfigProblem> problems = new ArrayList<>();
        Map<String, JsonNode> leaves = FlatYaml.read(yaml, problems);
        if (leaves == null) {
            throw new ConfigException(sourceName, problems);
        }
        PipelineConfig config = new PipelineConfigLoader(leaves, problems, environment).readAll();
        if (!problems.isEmpty()) {
            throw new ConfigException(sourceName, problems);
        }
        if (!config.source().sslMode().verifiesServer()) {
            LOG.warn("{}={}: the connection to {} is not verified and may be unencrypted, so the replication"
                    + " stream and the login can be read or redirected on the network; use verify-full outside a"
                    + " local setup", SOURCE_SSLMODE.name(), config.source().sslMode(), config.source().host());
        }
        config.bronze().target().filter(target -> !target.sslMode().verifiesServer()).ifPresent(target -> LOG.warn(
                "{}={}: the connection to {} is not verified and may be unencrypted, so the bronze rows and the"
                        + " login can be read or redirected on the network; use verify-full outside a local setup",
                TARGET_SSLMODE.name(), target.sslMode(), target.host()));
        return config;
    }

    /** Reads every key and reports what is left as unknown; returns null when a problem was added. */
    private PipelineConfig readAll() {
        String host = read(SOURCE_HOST);
        Integer port = read(SOURCE_PORT);
        String database = read(SOURCE_DATABASE);
        String user = read(SOURCE_USER);
        Secret password = readPassword();
        SslMode sslMode = read(SOURCE_SSLMODE);
        String slotName = read(SOURCE_SLOT_NAME);
        String publicationName = read(SOURCE_PUBLICATION_NAME);
        SourceConnector connector = read(SOURCE_CONNECTOR);
        Optional<TargetConfig> target = readTarget();
        String bronzeSchema = read(BRONZE_SCHEMA);
        TableSelection tables = readTables();
        Duration batchInterval = read(BATCH_INTERVAL);
        Duration lagThreshold = read(LAG_THRESHOLD);
        Duration checkpointInterval = read(CHECKPOINT_INTERVAL);
        reportUnknownKeys();
        if (!problems.isEmpty()) {
            return null;
        }
        return new PipelineConfig(
                new SourceConfig(host, port, database, user, password, sslMode, slotName, publicationName),
                new BronzeConfig(bronzeSchema, target), tables, batchInterval, lagThreshold, checkpointInterval,
                connector);
    }

    /**
     * The {@code target:} block, or empty when the config has no {@code target.*} key (bronze then goes to the
     * source database). Once one target key is given, host, database, user, sslmode and a password are required.
     */
    private Optional<TargetConfig> readTarget() {
        boolean given = unread.keySet().stream().anyMatch(key -> key.equals(TARGET) || key.startsWith(TARGET + "."));
        if (!given || unread.containsKey(TARGET)) {
            return Optional.empty(); // a bare 'target: x' is reported as a key that needs a mapping
        }
        int before = problems.size();
        String host = readInBlock(TARGET_HOST);
        Integer port = read(TARGET_PORT);
        String database = readInBlock(TARGET_DATABASE);
        String user = readInBlock(TARGET_USER);
        Secret password = readPassword(TARGET_PASSWORD, TARGET_PASSWORD_ENV, TARGET_PASSWORD_FILE,
                new PasswordResolver.Keys(TARGET_PASSWORD_ENV.name(), TARGET_PASSWORD_FILE.name(), "target"));
        SslMode sslMode = readInBlock(TARGET_SSLMODE);
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new TargetConfig(host, port == null ? 5432 : port, database, user, password, sslMode));
    }

    /** An optional key that a {@code target:} block must give. */
    private <T> T readInBlock(ConfigKey<T> key) {
        if (!unread.containsKey(key.name())) {
            problems.add(new ConfigProblem(key.name(), key.type().expected(), "no value", "add " + key.name()
                    + " to the target: block; it is required there (or remove the block to write bronze into the"
                    + " source database)"));
            return null;
        }
        return read(key);
    }

    private <T> T read(ConfigKey<T> key) {
        if (!unread.containsKey(key.name())) {
            if (key.presence() == ConfigKey.Presence.REQUIRED) {
                problems.add(new ConfigProblem(key.name(), key.type().expected(), "no value",
                        "add " + key.name() + " to the config file; it is required and has no default"));
            }
            return key.defaultValue();
        }
        return key.type().convert(key.name(), unread.remove(key.name()), problems);
    }

    /** {@code tables: [...]} (shorthand) or {@code tables: {include: [...], exclude: [...]}}: exactly one form. */
    private TableSelection readTables() {
        boolean shorthand = unread.containsKey(TABLES.name());
        boolean mapping = unread.containsKey(TABLES_INCLUDE.name());
        boolean excludes = unread.containsKey(TABLES_EXCLUDE.name());
        List<TablePattern> list = shorthand ? read(TABLES) : null; // required, but tables.include may stand for it
        List<TablePattern> include = read(TABLES_INCLUDE);
        List<TablePattern> exclude = read(TABLES_EXCLUDE);
        if (shorthand && (mapping || excludes)) {
            problems.add(new ConfigProblem(TABLES.name(), "either a list of patterns or a mapping with include and"
                    + " exclude", "both", "move the list under tables.include"));
        } else if (!shorthand && !mapping) {
            problems.add(new ConfigProblem(TABLES.name(), "a list of table patterns, or a mapping with include (and"
                    + " optionally exclude) lists", excludes ? "exclude without include" : "no value",
                    "add tables to the config file, for example tables: [\"public.*\"]; it is required and has no"
                            + " default"));
        } else if (shorthand && list != null) {
            return TableSelection.of(list);
        } else if (mapping && include != null && (exclude != null || !excludes)) {
            return new TableSelection(include, exclude == null ? List.of() : exclude, false);
        }
        return null;
    }

    private Secret readPassword() {
        return readPassword(SOURCE_PASSWORD, SOURCE_PASSWORD_ENV, SOURCE_PASSWORD_FILE, PasswordResolver.Keys.SOURCE);
    }

    private Secret readPassword(String plainKey, ConfigKey<String> envKey, ConfigKey<Path> fileKey,
            PasswordResolver.Keys keys) {
        boolean plain = unread.remove(plainKey) != null;
        if (plain) {
            problems.add(new ConfigProblem(plainKey, "no password in the config file",
                    "a plain password (value not shown)", "remove it; put the password in an environment variable"
                            + " and name that in " + envKey.name() + ", or in a file and give its"
                            + " path in " + fileKey.name()));
        }
        boolean envGiven = unread.containsKey(envKey.name());
        boolean fileGiven = unread.containsKey(fileKey.name());
        String variable = read(envKey);
        Path file = read(fileKey);
        String both = envKey.name() + " or " + fileKey.name();
        if (envGiven && fileGiven) {
            problems.add(new ConfigProblem(both, "exactly one of them", "both", "remove one of them"));
        } else if (!envGiven && !fileGiven && !plain) {
            problems.add(new ConfigProblem(both, "exactly one of them", "neither",
                    "set " + envKey.name() + " to the name of an environment variable holding the"
                            + " password, or " + fileKey.name() + " to the path of a file holding it"));
        } else if (variable != null) {
            return passwords.fromEnvironment(variable, keys);
        } else if (file != null) {
            return passwords.fromFile(file, keys);
        }
        return null;
    }

    private void reportUnknownKeys() {
        List<String> known = PipelineConfigKeys.ALL.stream().map(ConfigKey::name).toList();
        for (String key : unread.keySet()) {
            // The value is not quoted: a misspelt password key would otherwise print the password.
            List<String> below = known.stream().filter(name -> name.startsWith(key + ".")).toList();
            if (!below.isEmpty()) {
                problems.add(new ConfigProblem(key, "a mapping of the keys " + String.join(", ", below),
                        "a single value", "write the keys below " + key + ", or remove it"));
                continue;
            }
            String hint = KeySuggester.closest(key, known)
                    .map(suggestion -> "did you mean " + suggestion + "?")
                    .orElseGet(() -> "remove it; the known keys are " + String.join(", ", known));
            problems.add(new ConfigProblem(key, "a known key", "an unknown key", hint));
        }
    }
}
