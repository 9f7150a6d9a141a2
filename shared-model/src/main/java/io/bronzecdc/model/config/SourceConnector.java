package io.bronzecdc.model.config;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Which source the Flink engine reads the slot with ({@code source.connector}). The Spark engine always reads
 * pgoutput itself and ignores the key.
 */
public enum SourceConnector {
    /**
     * The engine's own pgoutput reader: pgjdbc's replication protocol and the shared pgoutput decoder, the same
     * code that builds {@code full_row} in the Spark engine. The default.
     */
    PGOUTPUT("pgoutput"),
    /** Flink CDC 3.5's Postgres source (Debezium 1.9), with its limits on names, keyless tables and types. */
    FLINK_CDC("flink-cdc");

    private final String value;

    SourceConnector(String value) {
        this.value = value;
    }

    /** The value as written in the config file. */
    public String value() {
        return value;
    }

    /**
     * The connector spelled {@code value}, exactly.
     *
     * @throws IllegalArgumentException quoting the value and listing the accepted ones
     */
    public static SourceConnector parse(String value) {
        Objects.requireNonNull(value, "source.connector value");
        for (SourceConnector connector : values()) {
            if (connector.value.equals(value)) {
                return connector;
            }
        }
        throw new IllegalArgumentException("source.connector must be one of " + valueList() + " but was '"
                + value + "'");
    }

    /** The accepted values, comma-separated. */
    public static String valueList() {
        return Arrays.stream(values()).map(SourceConnector::value).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return value;
    }
}
