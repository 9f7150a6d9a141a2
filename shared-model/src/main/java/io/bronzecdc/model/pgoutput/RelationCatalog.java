package io.bronzecdc.model.pgoutput;

import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.codec.TypeShapes;
import io.bronzecdc.model.codec.ValueShape;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.event.UpdateRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The relations and types a pgoutput session announced, resolved for decoding. Relation messages replace earlier
 * ones of the same OID (the server resends them in every session and after a schema change).
 *
 * <p>A column's shape comes from the built-in table ({@link BuiltInTypes}) without any lookup, else from the
 * caller's {@link TypeShapes} (a {@code pg_catalog} lookup, cached there), asked once per column of a kept relation
 * when its Relation message arrives. A {@code Type} message carries only a name, which cannot tell a domain or a
 * composite type from an enum, so it only names the type in messages.
 */
final class RelationCatalog {

    private final Predicate<TableId> keep;
    private final TypeShapes typeShapes;
    private final Function<TableId, UpdateRule> updateRules;
    private final Map<Integer, DecodedRelation> relations = new HashMap<>();
    private final Map<Integer, String> typeNames = new HashMap<>();

    RelationCatalog(Predicate<TableId> keep, TypeShapes typeShapes, Function<TableId, UpdateRule> updateRules) {
        this.keep = Objects.requireNonNull(keep, "keep");
        this.typeShapes = Objects.requireNonNull(typeShapes, "typeShapes");
        this.updateRules = Objects.requireNonNull(updateRules, "updateRules");
    }

    void put(PgOutputMessage.Type type) {
        typeNames.put(type.oid(), type.name());
    }

    void put(PgOutputMessage.Relation relation) {
        TableId table = tableId(relation);
        boolean kept = table != null && keep.test(table);
        List<DecodedRelation.Column> columns = new ArrayList<>();
        UpdateRule rule = null;
        if (kept) {
            for (PgOutputMessage.Relation.Column column : relation.columns()) {
                columns.add(new DecodedRelation.Column(column.name(), shape(table, column)));
            }
            rule = updateRules.apply(table);
            if (rule == null) {
                throw new IllegalStateException(table + " is kept but its primary key was not read at start: give"
                        + " the decoder the update rule of every kept table");
            }
        }
        relations.put(relation.oid(), new DecodedRelation(relation, table, kept, columns, rule));
    }

    /**
     * The relation of a change message.
     *
     * @throws ContractViolationException when no Relation message announced it
     */
    DecodedRelation get(int relationOid, char messageKind) {
        DecodedRelation relation = relations.get(relationOid);
        if (relation == null) {
            throw new ContractViolationException("pgoutput message '" + messageKind + "' refers to relation OID "
                    + Integer.toUnsignedString(relationOid) + ", but no Relation message announced it (known: "
                    + relations.size() + " relations). The server sends a Relation message before the first change"
                    + " of each table in a session: feed the decoder every message of the session from its start,"
                    + " in order");
        }
        return relation;
    }

    private static TableId tableId(PgOutputMessage.Relation relation) {
        String namespace = relation.namespace().isEmpty() ? "pg_catalog" : relation.namespace();
        if (relation.name().isEmpty()) {
            return null;
        }
        return new TableId(namespace, relation.name());
    }

    private ValueShape shape(TableId table, PgOutputMessage.Relation.Column column) {
        int oid = column.typeOid();
        ValueShape shape = BuiltInTypes.shape(oid);
        if (shape == null) {
            shape = typeShapes.shapeOf(oid);
        }
        if (shape == null) {
            String announced = typeNames.get(oid);
            throw new ContractViolationException(table + "." + column.name() + ": type OID "
                    + Integer.toUnsignedString(oid) + (announced == null ? "" : " (" + announced + ")") + " is not"
                    + " built in and the type resolver does not know it. Give the decoder a resolver that looks types"
                    + " up in pg_catalog (io.bronzecdc.model.source.PgTypeCatalog) on a connection to the source"
                    + " database");
        }
        return shape;
    }
}
