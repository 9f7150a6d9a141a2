package io.bronzecdc.model.codec;

import java.util.function.IntFunction;

/**
 * Resolves a type OID to how {@code to_jsonb} renders its values. Implementations look the type up once (for
 * example in {@code pg_catalog}, see {@code io.bronzecdc.model.source.PgTypeCatalog}) and cache it: the decoder asks
 * once per column when a relation is announced, never per value.
 */
@FunctionalInterface
public interface TypeShapes {
    /** PostgreSQL's first OID of user-defined objects ({@code FirstNormalObjectId}); built-in types lie below. */
    int FIRST_NORMAL_OBJECT_ID = 16_384;

    /**
     * The shape of type {@code typeOid}, or null when the type is unknown.
     */
    ValueShape shapeOf(int typeOid);

    /**
     * Shapes from type names alone (no catalog): right for built-in types, whose rendering the name fixes; a
     * user-defined type (a domain, composite, enum or extension type) becomes {@link ValueShape.Unsupported}, so its
     * non-null values fail loudly instead of being rendered by a guess.
     *
     * @param typeNames the {@code pg_type.typname} of an OID, or null when unknown
     */
    static TypeShapes byName(IntFunction<String> typeNames) {
        return oid -> {
            String name = typeNames.apply(oid);
            if (name == null || name.isEmpty()) {
                return null;
            }
            if (Integer.compareUnsigned(oid, FIRST_NORMAL_OBJECT_ID) >= 0) {
                return new ValueShape.Unsupported(name, "a user-defined type is rendered by what the catalog says it is"
                        + " (domain, composite, enum, extension type); the decoder was given type names only. Resolve"
                        + " types through pg_catalog (io.bronzecdc.model.source.PgTypeCatalog)");
            }
            return ValueShape.ofBuiltInName(name);
        };
    }
}
