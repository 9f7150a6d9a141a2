package io.bronzecdc.flink.source.pgoutput;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.Secret;
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

    private final String jdbcUrl;
    private final String user;
    private final char[] password;
    private final String slot;
    private final String publication;

    private SlotEndpoint(String jdbcUrl, String user, char[] password, String slot, String publication) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.slot = slot;
        this.publication = publication;
    }

    static SlotEndpoint of(PipelineConfig.SourceConfig source) {
        return new SlotEndpoint(source.jdbcUrl(), source.user(), source.password().reveal().toCharArray(),
                source.slotName(), source.publicationName());
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
