package io.bronzecdc.spark.stream;

import io.bronzecdc.model.event.PgLsn;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.connector.read.streaming.Offset;

/**
 * A Structured Streaming offset of the pipeline's slot: a WAL position. A batch from offset {@code a} to {@code b}
 * holds the transactions whose commit the slot decodes up to {@code b}; in the checkpoint's offset log it reads
 * {@code {"lsn":"0/1D5A240"}}, as PostgreSQL prints positions.
 */
public final class SlotOffset extends Offset {
    private static final Pattern JSON = Pattern.compile("\\{\\s*\"lsn\"\\s*:\\s*\"([0-9A-Fa-f]+/[0-9A-Fa-f]+)\"\\s*}");

    private final PgLsn lsn;

    public SlotOffset(PgLsn lsn) {
        this.lsn = lsn;
    }

    /** Reads what {@link #json()} wrote. */
    public static SlotOffset parse(String json) {
        Matcher m = JSON.matcher(json == null ? "" : json.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a bronze-cdc slot offset: '" + json + "' (expected {\"lsn\":\"X/Y\"});"
                    + " is the checkpoint location another query's?");
        }
        return new SlotOffset(PgLsn.parse(m.group(1)));
    }

    public PgLsn lsn() {
        return lsn;
    }

    @Override
    public String json() {
        return "{\"lsn\":\"" + lsn + "\"}";
    }
}
