package io.bronzecdc.model.pgoutput;

import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.codec.PgType;
import io.bronzecdc.model.event.TableId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The relations and types a pgoutput session announced, resolved for decoding. Relation messages replace earlier
 * ones of the same OID (the server resends them in every session and after a schema change).
 *
 * <p>A column's type name comes from the built-in table ({@link BuiltInTypes}), else from a {@code Type} message
 * of this session, else from the caller's resolver (for example a {@code pg_type} lookup).
 */
final class RelationCatalog {
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final Predicate<TableId> keep;
    private final IntFunction<String> typeNameResolver;
    private final Map<Integer, DecodedRelation> relations = new HashMap<>();
    private final Map<Integer, String> typeNames = new HashMap<>();

    RelationCatalog(Predicate<TableId> keep, IntFunction<String> typeNameResolver) {
        this.keep = Objects.requireNonNull(keep, "keep");
        this.typeNameResolver = Objects.requireNonNull(typeNameResolver, "typeNameResolver");
    }

    void put(PgOutputMessage.Type type) {
        typeNames.put(type.oid(), type.name());
    }

    void put(PgOutputMessage.Relation relation) {
        TableId table = tableId(relation);
        boolean kept = table != null && keep.test(table);
        List<DecodedRelation.Column> columns = new ArrayList<>();
        if (kept) {
            for (PgOutputMessage.Relation.Column column : relation.columns()) {
                String typeName = typeName(table, column);
                columns.add(new DecodedRelation.Column(column.name(), typeName, PgType.fromTypeName(typeName),
                        PgType.isArrayTypeName(typeName)));
            }
        }
        relations.put(relation.oid(), new DecodedRelation(relation, table, kept, columns));
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
        if (!IDENTIFIER.matcher(namespace).matches() || !IDENTIFIER.matcher(relation.name()).matches()) {
            return null;
        }
        return new TableId(namespace, relation.name());
    }

    private String typeName(TableId table, PgOutputMessage.Relation.Column column) {
        int oid = column.typeOid();
        String name = BuiltInTypes.typeName(oid);
        if (name == null) {
            name = typeNames.get(oid);
        }
        if (name == null) {
            name = typeNameResolver.apply(oid);
        }
        if (name == null || name.isEmpty()) {
            throw new ContractViolationException(table + "." + column.name() + ": type OID "
                    + Integer.toUnsignedString(oid) + " is not built in, no Type message announced it and the"
                    + " type name resolver returned " + (name == null ? "null" : "an empty name") + ". Give the"
                    + " decoder a resolver that looks the OID up in pg_type (SELECT typname FROM pg_type WHERE"
                    + " oid = ?)");
        }
        return name;
    }
}
