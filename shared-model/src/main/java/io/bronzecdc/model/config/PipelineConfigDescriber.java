package io.bronzecdc.model.config;

import static io.bronzecdc.model.config.PipelineConfigKeys.BATCH_INTERVAL;
import static io.bronzecdc.model.config.PipelineConfigKeys.BRONZE_SCHEMA;
import static io.bronzecdc.model.config.PipelineConfigKeys.CHECKPOINT_INTERVAL;
import static io.bronzecdc.model.config.PipelineConfigKeys.LAG_THRESHOLD;
import static io.bronzecdc.model.config.PipelineConfigKeys.SOURCE_DATABASE;
import static io.bronzecdc.model.config.PipelineConfigKeys.SOURCE_HOST;
import static io.bronzecdc.model.config.PipelineConfigKeys.SOURCE_PASSWORD;
import static io.bronzecdc.model.config.PipelineConfigKeys.SOURCE_PORT;
import static io.bronzecdc.model.config.PipelineConfigKeys.SOURCE_PUBLICATION_NAME;
import static io.bronzecdc.model.config.PipelineConfigKeys.SOURCE_SLOT_NAME;
import static io.bronzecdc.model.config.PipelineConfigKeys.SOURCE_SSLMODE;
import static io.bronzecdc.model.config.PipelineConfigKeys.SOURCE_USER;
import static io.bronzecdc.model.config.PipelineConfigKeys.TABLES;
import static io.bronzecdc.model.config.PipelineConfigKeys.TABLES_EXCLUDE;
import static io.bronzecdc.model.config.PipelineConfigKeys.TABLES_INCLUDE;

import io.bronzecdc.model.config.PipelineConfig.SourceConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Renders configuration for people: the effective config as one log line at startup, password masked, and the
 * reference of all keys generated from their declarations, so the documentation cannot drift from the code.
 */
public final class PipelineConfigDescriber {
    private PipelineConfigDescriber() {
    }

    /**
     * The effective config as {@code key=value} pairs in the config file's syntax, on one line, for example
     * {@code source.host=db1, source.port=5432, ..., source.password=******, ...}. The password is always
     * {@value Secret#MASK}.
     */
    public static String describe(PipelineConfig config) {
        Objects.requireNonNull(config, "config");
        SourceConfig source = config.source();
        List<String> pairs = new ArrayList<>();
        pairs.add(pair(SOURCE_HOST, source.host()));
        pairs.add(pair(SOURCE_PORT, source.port()));
        pairs.add(pair(SOURCE_DATABASE, source.database()));
        pairs.add(pair(SOURCE_USER, source.user()));
        pairs.add(SOURCE_PASSWORD + "=" + source.password()); // Secret.toString() is the mask
        pairs.add(pair(SOURCE_SSLMODE, source.sslMode()));
        pairs.add(pair(SOURCE_SLOT_NAME, source.slotName()));
        pairs.add(pair(SOURCE_PUBLICATION_NAME, source.publicationName()));
        pairs.add(pair(PipelineConfigKeys.SOURCE_CONNECTOR, config.connector()));
        config.bronze().target().ifPresent(target -> {
            pairs.add(pair(PipelineConfigKeys.TARGET_HOST, target.host()));
            pairs.add(pair(PipelineConfigKeys.TARGET_PORT, target.port()));
            pairs.add(pair(PipelineConfigKeys.TARGET_DATABASE, target.database()));
            pairs.add(pair(PipelineConfigKeys.TARGET_USER, target.user()));
            pairs.add(PipelineConfigKeys.TARGET_PASSWORD + "=" + target.password()); // the mask
            pairs.add(pair(PipelineConfigKeys.TARGET_SSLMODE, target.sslMode()));
        });
        pairs.add(pair(BRONZE_SCHEMA, config.bronze().schema()));
        if (config.tables().shorthand()) {
            pairs.add(pair(TABLES, config.tables().include()));
        } else {
            pairs.add(pair(TABLES_INCLUDE, config.tables().include()));
            pairs.add(pair(TABLES_EXCLUDE, config.tables().exclude()));
        }
        pairs.add(pair(BATCH_INTERVAL, config.batchInterval()));
        pairs.add(pair(LAG_THRESHOLD, config.lagThreshold()));
        pairs.add(pair(CHECKPOINT_INTERVAL, config.checkpointInterval()));
        return String.join(", ", pairs);
    }

    /**
     * A Markdown table of every key in {@link PipelineConfigKeys#ALL}: key, required or default, accepted values,
     * description.
     */
    public static String keyReference() {
        StringBuilder table = new StringBuilder("| key | presence | accepted values | description |\n")
                .append("|---|---|---|---|\n");
        for (ConfigKey<?> key : PipelineConfigKeys.ALL) {
            table.append("| `").append(key.name()).append("` | ").append(key.presenceText()).append(" | ")
                    .append(key.type().expected().replace("|", "\\|")).append(" | ")
                    .append(key.description().replace("|", "\\|")).append(" |\n");
        }
        return table.toString();
    }

    private static <T> String pair(ConfigKey<T> key, T value) {
        return key.name() + "=" + key.type().format(value);
    }
}
