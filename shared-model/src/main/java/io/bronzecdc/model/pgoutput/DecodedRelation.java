package io.bronzecdc.model.pgoutput;

import io.bronzecdc.model.codec.PgTextRowWriter;
import io.bronzecdc.model.codec.ValueShape;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.event.UpdateRule;
import java.util.List;
import java.util.Objects;

/**
 * A {@link PgOutputMessage.Relation} as the decoder uses it: the table it maps to, whether the caller keeps its
 * changes, and each column's codec type resolved once.
 *
 * @param relation the message as received
 * @param table the table, or null when the relation's name is not a plain lower-case identifier (such a relation
 *     cannot be selected, so its changes are skipped)
 * @param kept whether the caller keeps the changes of this table
 * @param columns the resolved columns when kept; empty otherwise (types of skipped tables are never resolved)
 * @param updateRule how the table's updates are logged (from its primary key) when kept; null otherwise
 */
record DecodedRelation(
        PgOutputMessage.Relation relation, TableId table, boolean kept, List<Column> columns, UpdateRule updateRule) {
    DecodedRelation {
        Objects.requireNonNull(relation, "relation");
        columns = List.copyOf(columns);
        if (kept && (table == null || updateRule == null)) {
            throw new IllegalArgumentException("a kept relation needs a table and an update rule: "
                    + relation.qualifiedName());
        }
    }

    /** The position of a column in the relation's tuples, or -1 when the relation has no such column. */
    int indexOf(String column) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(column)) {
                return i;
            }
        }
        return -1;
    }

    /** The table name for messages: {@code schema.name}. */
    String displayName() {
        return table != null ? table.toString() : relation.qualifiedName();
    }

    /** Describes the replica identity as {@code ALTER TABLE} spells it. */
    String replicaIdentityName() {
        return switch (relation.replicaIdentity()) {
            case 'd' -> "DEFAULT";
            case 'n' -> "NOTHING";
            case 'f' -> "FULL";
            case 'i' -> "USING INDEX";
            default -> "'" + relation.replicaIdentity() + "'";
        };
    }

    /**
     * One column with how its values render.
     *
     * @param name the column name, the JSON key
     * @param shape how {@code to_jsonb} renders the column's type
     * @param writerColumn the column as {@link PgTextRowWriter} writes it (its key encoded once)
     */
    record Column(String name, ValueShape shape, PgTextRowWriter.Column writerColumn) {
        Column {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(shape, "shape");
            Objects.requireNonNull(writerColumn, "writerColumn");
        }

        Column(String name, ValueShape shape) {
            this(name, shape, PgTextRowWriter.column(name, shape));
        }
    }
}
