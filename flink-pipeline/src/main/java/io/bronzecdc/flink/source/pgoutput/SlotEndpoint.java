package io.bronzecdc.flink.source.pgoutput;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.Secret;
import io.bronzecdc.model.config.SslMode;
import io.bronzecdc.model.postgres.SourceConnections;
import java.io.Serial;
import java.io.Serializable;

/**
 * The source database, slot and publication as the job graph carries them to the reader. The password is
 * resolved once on the client that submits the job; it never appears in {@link #toString()}, a log or an
 * exception, and reaches pgjdbc only as a connection property ({@link SourceConnections}).
 */
final class SlotEndpoint implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String host;
    private final int port;
    private final String database;
    private final SslMode sslMode;
    private final String jdbcUrl;
    private final String user;
    private final char[] password;
    private final String slot;
    private final String publication;

    private SlotEndpoint(PipelineConfig.SourceConfig source) {
        this.host = source.host();
        this.port = source.port();
        this.database = source.database();
        this.sslMode = source.sslMode();
        this.jdbcUrl = source.jdbcUrl();
        this.user = source.user();
        this.password = source.password().reveal().toCharArray();
        this.slot = source.slotName();
        this.publication = source.publicationName();
    }

    static SlotEndpoint of(PipelineConfig.SourceConfig source) {
        return new SlotEndpoint(source);
    }

    /** The source as the config gave it, for the shared checks that take a config ({@link LateTables}). */
    PipelineConfig.SourceConfig sourceConfig() {
        return new PipelineConfig.SourceConfig(host, port, database, user, Secret.of(new String(password)), sslMode,
                slot, publication);
    }

    SourceConnections connections() {
        return new SourceConnections(jdbcUrl, user, Secret.of(new String(password)), "bronze-cdc flink " + slot);
    }

    String slot() {
        return slot;
    }

    String publication() {
        return publication;
    }

    /** Database, user, slot and publication; never the password. */
    @Override
    public String toString() {
        return "SlotEndpoint[" + user + " at " + jdbcUrl + ", slot " + slot + ", publication " + publication
                + ", password " + Secret.MASK + "]";
    }
}
