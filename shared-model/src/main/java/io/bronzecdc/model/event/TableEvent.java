package io.bronzecdc.model.event;

import java.util.Objects;

/**
 * Something that happened to a captured table besides its row changes, in source order with them: a schema change
 * (from the source's schema-change trigger) or a TRUNCATE. Bronze records it in {@code bronze_table_events};
 * replay applies it to the rows written before it.
 *
 * @param table the source table
 * @param kind what happened
 * @param position where it sits in the source's history (always streamed)
 * @param commandTag {@code ALTER TABLE} or {@code TRUNCATE}
 * @param ddl the statement's text as the source saw it; null for a TRUNCATE (pgoutput does not carry it)
 * @param columnsBefore the table's columns before a schema change (JSON array of {@code name, type, attnum});
 *     null for a TRUNCATE
 * @param columns the columns after it, each with {@code missing} (what older rows read) where PostgreSQL keeps
 *     one; null for a TRUNCATE
 */
public record TableEvent(TableId table, Kind kind, SourcePosition position, String commandTag, String ddl,
        String columnsBefore, String columns) {

    /** The kinds of events, with the name bronze stores. */
    public enum Kind {
        SCHEMA_CHANGE("schema_change"),
        TRUNCATE("truncate");

        private final String stored;

        Kind(String stored) {
            this.stored = stored;
        }

        /** The value of {@code bronze_table_events.kind}. */
        public String stored() {
            return stored;
        }
    }

    public TableEvent {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(commandTag, "commandTag");
        if (position.snapshot()) {
            throw new IllegalArgumentException(table + ": a " + kind.stored() + " event needs a streamed position");
        }
        if (kind == Kind.SCHEMA_CHANGE && (columnsBefore == null || columns == null)) {
            throw new IllegalArgumentException(table + ": a schema change needs its columns before and after");
        }
    }

    /** A TRUNCATE of {@code table}. */
    public static TableEvent truncate(TableId table, SourcePosition position) {
        return new TableEvent(table, Kind.TRUNCATE, position, "TRUNCATE", null, null, null);
    }
}
