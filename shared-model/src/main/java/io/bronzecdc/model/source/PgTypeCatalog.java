package io.bronzecdc.model.source;

import io.bronzecdc.model.codec.PgType;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.codec.TypeShapes;
import io.bronzecdc.model.codec.ValueShape;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves type OIDs through {@code pg_catalog} into how {@code to_jsonb} renders them, following PostgreSQL's own
 * rules ({@code json_categorize_type}): a domain renders as its base type; an array type (element type set and
 * variable length) as a JSON array of its elements; a composite type as an object of its attributes; a
 * user-defined type with a function cast to json through that cast (only hstore's is reproduced; any other fails
 * loudly); everything else as its text output. Each OID is looked up once per instance and cached.
 *
 * <p>Not thread-safe. Uses the caller's connection (any database role may read {@code pg_catalog}).
 */
public final class PgTypeCatalog implements TypeShapes {
    private static final int TIMESTAMPTZ = 1184;
    private static final String TYPE_SQL = "SELECT t.typname, n.nspname, t.typtype, t.typelem, t.typlen, t.typbasetype,"
            + " t.typrelid, (SELECT e.typdelim FROM pg_type e WHERE e.oid = t.typelem),"
            + " (SELECT r.rngsubtype FROM pg_range r WHERE r.rngtypid = t.oid OR r.rngmultitypid = t.oid),"
            + " (SELECT p.proname FROM pg_cast c JOIN pg_proc p ON p.oid = c.castfunc"
            + "  WHERE c.castsource = t.oid AND c.casttarget = 'json'::regtype AND c.castmethod = 'f')"
            + " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid = ?";
    private static final String ATTRIBUTES_SQL = "SELECT attname, atttypid FROM pg_attribute"
            + " WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped ORDER BY attnum";

    private final Connection connection;
    private final Map<Integer, ValueShape> shapes = new HashMap<>();

    public PgTypeCatalog(Connection connection) {
        this.connection = connection;
    }

    /**
     * @throws IllegalStateException when the catalog cannot be read (cause attached)
     */
    @Override
    public ValueShape shapeOf(int typeOid) {
        ValueShape shape = shapes.get(typeOid);
        if (shape == null) {
            try {
                shape = lookUp(typeOid);
            } catch (SQLException e) {
                throw new IllegalStateException("could not look up type OID " + Integer.toUnsignedString(typeOid)
                        + " in pg_type: " + e.getMessage(), e);
            }
            if (shape != null) {
                shapes.put(typeOid, shape);
            }
        }
        return shape;
    }

    /** The columns of a table with their shapes, in column order ({@code SELECT *} order). */
    public List<ValueShape.Field> columns(TableId table) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT attname, atttypid FROM pg_attribute"
                + " WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped ORDER BY attnum")) {
            ps.setString(1, table.quoted());
            return fields(ps, table.toString());
        }
    }

    private ValueShape lookUp(int oid) throws SQLException {
        String name;
        char kind;
        int element;
        int length;
        int base;
        int relation;
        String delimiter;
        int rangeSubtype;
        String jsonCast;
        try (PreparedStatement ps = connection.prepareStatement(TYPE_SQL)) {
            ps.setInt(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                boolean builtIn = Integer.compareUnsigned(oid, FIRST_NORMAL_OBJECT_ID) < 0;
                name = builtIn ? rs.getString(1) : rs.getString(2) + "." + rs.getString(1);
                kind = rs.getString(3).charAt(0);
                element = rs.getInt(4);
                length = rs.getInt(5);
                base = rs.getInt(6);
                relation = rs.getInt(7);
                delimiter = rs.getString(8);
                rangeSubtype = rs.getInt(9);
                jsonCast = rs.getString(10);
                if (builtIn && kind == 'b' && element == 0) {
                    return ValueShape.ofBuiltInName(rs.getString(1));
                }
            }
        }
        if (kind == 'd') {
            return shapeOf(base);
        }
        if (element != 0 && length == -1) {
            ValueShape elementShape = require(shapeOf(element), element, name);
            return new ValueShape.Array(name, elementShape, delimiter == null ? ',' : delimiter.charAt(0));
        }
        if (kind == 'c') {
            try (PreparedStatement ps = connection.prepareStatement(ATTRIBUTES_SQL)) {
                ps.setInt(1, relation);
                return new ValueShape.Composite(name, fields(ps, name));
            }
        }
        if (Integer.compareUnsigned(oid, FIRST_NORMAL_OBJECT_ID) >= 0 && jsonCast != null) {
            return jsonCast.equals("hstore_to_json") ? new ValueShape.Hstore(name)
                    : new ValueShape.Unsupported(name, "to_jsonb renders it through its cast to json (function "
                            + jsonCast + "), which the codec cannot reproduce from the text output. Capture a view or"
                            + " generated column that casts it to json, or exclude the table");
        }
        if (rangeSubtype == TIMESTAMPTZ) {
            return new ValueShape.TimestamptzRange(name, kind == 'm');
        }
        return new ValueShape.Scalar(name, Integer.compareUnsigned(oid, FIRST_NORMAL_OBJECT_ID) < 0
                ? PgType.fromTypeName(name) : PgType.OTHER);
    }

    private List<ValueShape.Field> fields(PreparedStatement ps, String owner) throws SQLException {
        List<Object[]> attributes = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                attributes.add(new Object[] {rs.getString(1), rs.getInt(2)});
            }
        }
        List<ValueShape.Field> fields = new ArrayList<>();
        for (Object[] a : attributes) {
            int type = (Integer) a[1];
            fields.add(new ValueShape.Field((String) a[0], require(shapeOf(type), type, owner)));
        }
        return fields;
    }

    private static ValueShape require(ValueShape shape, int oid, String owner) {
        if (shape == null) {
            throw new IllegalStateException(owner + ": type OID " + Integer.toUnsignedString(oid)
                    + " is not in pg_type (dropped while being looked up?)");
        }
        return shape;
    }
}
