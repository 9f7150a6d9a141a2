package io.bronzecdc.model.codec;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes rows of a JDBC {@link ResultSet} (PostgreSQL driver) as canonical {@code full_row} JSON: each column
 * read with the getter that keeps its exact value (BigDecimal for numeric, java.time for dates and times,
 * bytes for bytea, text output for arrays, json and floats).
 *
 * <p>Floats are read as text, which is PostgreSQL's own output only with the driver's text transfer (the
 * default for statements run fewer than {@code prepareThreshold} times, or with {@code binaryTransfer=false}).
 */
public final class JdbcRowEncoder {
    private final List<Column> columns;
    private final List<ValueShape.Field> shapes;

    private JdbcRowEncoder(List<Column> columns, List<ValueShape.Field> shapes) {
        this.columns = List.copyOf(columns);
        this.shapes = shapes == null ? null : List.copyOf(shapes);
    }

    /**
     * An encoder for rows whose columns are exactly {@code columns}, in order (for example a table's columns with
     * their shapes resolved from {@code pg_catalog}, read with {@code SELECT *}). Every value is read as its text
     * output and rendered as its shape says, exactly as the pgoutput decoder renders it: domains as their base
     * type, composite types as objects, and so on.
     *
     * <p>Needs the driver's text transfer (the default for a statement run fewer than {@code prepareThreshold}
     * times).
     */
    public static JdbcRowEncoder of(List<ValueShape.Field> columns) {
        return new JdbcRowEncoder(List.of(), columns);
    }

    /** An encoder for result sets of this shape: every column becomes a key of {@code full_row}. */
    public static JdbcRowEncoder of(ResultSetMetaData metaData) throws SQLException {
        List<Column> columns = new ArrayList<>();
        for (int i = 1; i <= metaData.getColumnCount(); i++) {
            String typeName = metaData.getColumnTypeName(i);
            columns.add(new Column(i, metaData.getColumnLabel(i), PgType.fromTypeName(typeName),
                    PgType.isArrayTypeName(typeName)));
        }
        return new JdbcRowEncoder(columns, null);
    }

    /** The canonical JSON of the result set's current row. */
    public String encode(ResultSet rs, CanonicalRowWriter writer) throws SQLException {
        writer.begin();
        if (shapes != null) {
            for (int i = 0; i < shapes.size(); i++) {
                ValueShape.Field c = shapes.get(i);
                writer.textValue(c.name(), c.shape(), rs.getString(i + 1));
            }
            return writer.end();
        }
        for (Column c : columns) {
            if (c.array()) {
                writer.textValue(c.name(), c.type(), true, rs.getString(c.index()));
            } else {
                writer.value(c.name(), c.type(), read(rs, c));
            }
        }
        return writer.end();
    }

    private static Object read(ResultSet rs, Column c) throws SQLException {
        Object value = switch (c.type()) {
            case INTEGER -> rs.getLong(c.index());
            case NUMERIC -> rs.getObject(c.index());
            case BOOLEAN -> rs.getBoolean(c.index());
            case DATE -> rs.getObject(c.index(), LocalDate.class);
            case TIME -> rs.getObject(c.index(), LocalTime.class);
            case TIMESTAMP -> rs.getObject(c.index(), LocalDateTime.class);
            case TIMESTAMPTZ -> rs.getObject(c.index(), OffsetDateTime.class);
            case BYTEA -> rs.getBytes(c.index());
            case FLOAT, TIMETZ, TEXT, JSON, OTHER -> rs.getString(c.index());
        };
        return rs.wasNull() ? null : value;
    }

    private record Column(int index, String name, PgType type, boolean array) {
    }
}
