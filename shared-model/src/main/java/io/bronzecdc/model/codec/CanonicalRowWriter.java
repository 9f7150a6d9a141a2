package io.bronzecdc.model.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.bronzecdc.model.ContractViolationException;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZonedDateTime;
import java.util.HexFormat;
import java.util.List;

/**
 * Builds the canonical {@code full_row} of one row: a JSON object equal to what PostgreSQL gives for
 * {@code SET TimeZone = 'UTC'; SELECT to_jsonb(t) FROM T t} (see DESIGN.md section 2). Keys come in the order
 * they are written (the table's column order); the stored jsonb normalizes key order anyway.
 *
 * <p>Values come either as Java values ({@link #value(String, PgType, Object)}: what JDBC and Debezium hand
 * over) or as PostgreSQL text output ({@link #textValue(String, PgType, boolean, String)}: what pgoutput hands
 * over). A value the codec cannot represent faithfully fails with a {@link ContractViolationException} naming
 * the column; it is never dropped.
 *
 * <p>Reusable and not thread-safe: one writer per thread, {@link #begin()} for every row.
 */
public final class CanonicalRowWriter {
    private static final JsonFactory JSON = new JsonFactory();
    private static final HexFormat HEX = HexFormat.of();

    private final StringWriter out = new StringWriter(512);
    /** Kept across rows: creating a generator per row looked up Jackson's buffer recycler each time (JFR, 5%). */
    private JsonGenerator reusable;
    /** The current row's generator, null outside a row. */
    private JsonGenerator generator;
    private String column;

    /** Starts a new row, discarding any unfinished one. */
    public CanonicalRowWriter begin() {
        out.getBuffer().setLength(0);
        try {
            if (reusable == null || !reusable.getOutputContext().inRoot()) {
                // the first row, or the last one was left unfinished (a failed value): start from a clean generator
                reusable = JSON.createGenerator(out);
                reusable.setRootValueSeparator(null);
            }
            generator = reusable;
            generator.writeStartObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Ends the row and returns its canonical JSON. */
    public String end() {
        requireRow();
        try {
            generator.writeEndObject();
            generator.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        generator = null;
        return out.toString();
    }

    /**
     * Writes a column from a Java value: null; {@link Number}; {@link BigDecimal}; {@link Boolean};
     * {@link String}; {@link LocalDate}, {@link LocalTime}, {@link OffsetTime}, {@link LocalDateTime},
     * {@link OffsetDateTime}, {@link ZonedDateTime}, {@link Instant} and their {@code java.sql} forms;
     * {@code byte[]} or {@link ByteBuffer} for bytea; a {@link List} or array for array columns (elements of
     * {@code type}). A {@link String} for a non-text type is taken as PostgreSQL's text output of that type.
     */
    public CanonicalRowWriter value(String column, PgType type, Object value) {
        field(column);
        writeJavaValue(type, value);
        return this;
    }

    /**
     * Writes a column from PostgreSQL's text output of its value (pgoutput text tuples, {@code col::text}).
     *
     * @param array whether the column is an array of {@code type} (text like {@code {1,2,NULL}})
     * @param text the text output, or null for SQL NULL
     */
    public CanonicalRowWriter textValue(String column, PgType type, boolean array, String text) {
        field(column);
        if (text == null) {
            writeNull();
        } else if (array) {
            new PgArrayText(text, column, ',').writeTo(this, new ValueShape.Scalar(type.name(), type));
        } else {
            writeText(type, text);
        }
        return this;
    }

    /**
     * Writes a column from PostgreSQL's text output of its value, rendered as its type's {@link ValueShape} says
     * (nested objects for composite types, arrays of any shape, hstore as an object, ...).
     *
     * @param text the text output, or null for SQL NULL
     * @throws ContractViolationException when the text is malformed for the shape, or the shape is
     *     {@link ValueShape.Unsupported} and the value is not NULL; the message names the column and type
     */
    public CanonicalRowWriter textValue(String column, ValueShape shape, String text) {
        field(column);
        if (text == null) {
            writeNull();
        } else if (shape instanceof ValueShape.Scalar scalar) {
            writeText(scalar.kind(), text);
        } else {
            writeShaped(shape, text);
        }
        return this;
    }

    private void field(String name) {
        requireRow();
        column = name;
        try {
            generator.writeFieldName(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void requireRow() {
        if (generator == null) {
            throw new IllegalStateException("begin() must be called before writing a row");
        }
    }

    void writeJavaValue(PgType type, Object value) {
        try {
            if (value == null) {
                generator.writeNull();
            } else if (value instanceof List<?> list) {
                generator.writeStartArray();
                for (Object element : list) {
                    writeJavaValue(type, element);
                }
                generator.writeEndArray();
            } else if (value instanceof Object[] array) {
                writeJavaValue(type, List.of(array));
            } else if (value instanceof String text) {
                writeText(type, text);
            } else {
                writeTyped(type, value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassCastException | IllegalArgumentException e) {
            throw unsupported(type, value, e);
        }
    }

    private void writeTyped(PgType type, Object value) throws IOException {
        switch (type) {
            case INTEGER -> generator.writeNumber(((Number) value).longValue());
            case NUMERIC -> writeNumeric(value);
            case FLOAT -> writeFloat(((Number) value).doubleValue());
            case BOOLEAN -> generator.writeBoolean((Boolean) value);
            case DATE -> generator.writeString(PgTemporal.date(
                    value instanceof java.sql.Date d ? d.toLocalDate() : (LocalDate) value));
            case TIME -> generator.writeString(PgTemporal.time(
                    value instanceof java.sql.Time t ? t.toLocalTime() : (LocalTime) value));
            case TIMETZ -> generator.writeString(PgTemporal.timetz((OffsetTime) value));
            case TIMESTAMP -> generator.writeString(PgTemporal.timestamp(
                    value instanceof Timestamp t ? t.toLocalDateTime() : (LocalDateTime) value));
            case TIMESTAMPTZ -> generator.writeString(timestamptz(value));
            case BYTEA -> generator.writeString("\\x" + HEX.formatHex(bytes(value)));
            case TEXT, OTHER -> generator.writeString(value.toString());
            case JSON -> generator.writeRawValue(value.toString());
        }
    }

    private void writeNumeric(Object value) throws IOException {
        if (value instanceof BigDecimal decimal) {
            generator.writeNumber(decimal.toPlainString());
        } else if (value instanceof Double || value instanceof Float) {
            writeFloat(((Number) value).doubleValue());
        } else {
            generator.writeNumber(((Number) value).longValue());
        }
    }

    private void writeFloat(double value) throws IOException {
        if (Double.isNaN(value)) {
            generator.writeString("NaN");
        } else if (Double.isInfinite(value)) {
            generator.writeString(value > 0 ? "Infinity" : "-Infinity");
        } else {
            generator.writeNumber(value);
        }
    }

    private static String timestamptz(Object value) {
        if (value instanceof OffsetDateTime odt) {
            return PgTemporal.timestamptz(odt);
        }
        if (value instanceof ZonedDateTime zdt) {
            return PgTemporal.timestamptz(zdt.toOffsetDateTime());
        }
        if (value instanceof Timestamp ts) {
            return PgTemporal.timestamptz(ts.toInstant());
        }
        return PgTemporal.timestamptz((Instant) value);
    }

    private static byte[] bytes(Object value) {
        if (value instanceof ByteBuffer buffer) {
            ByteBuffer copy = buffer.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            return bytes;
        }
        return (byte[]) value;
    }

    /** Writes a scalar given as PostgreSQL text output. */
    void writeText(PgType type, String text) {
        try {
            switch (type) {
                case INTEGER -> generator.writeNumber(PgTextValues.integer(text, column));
                case NUMERIC, FLOAT -> {
                    if (PgTextValues.isSpecialNumber(text)) {
                        generator.writeString(text);
                    } else {
                        generator.writeNumber(PgTextValues.number(text, column));
                    }
                }
                case BOOLEAN -> generator.writeBoolean(PgTextValues.bool(text, column));
                case TIMESTAMP -> generator.writeString(PgTextValues.timestamp(text, column));
                case TIMESTAMPTZ -> generator.writeString(PgTextValues.timestamptz(text, column));
                case JSON -> generator.writeRawValue(text);
                case TEXT, DATE, TIME, TIMETZ, BYTEA, OTHER -> generator.writeString(text);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a value (not NULL) given as text output, as its shape says. */
    void writeShaped(ValueShape shape, String text) {
        try {
            if (shape instanceof ValueShape.Scalar scalar) {
                writeText(scalar.kind(), text);
            } else if (shape instanceof ValueShape.Array array) {
                new PgArrayText(text, column, array.delimiter()).writeTo(this, array.element());
            } else if (shape instanceof ValueShape.Composite composite) {
                writeComposite(composite, text);
            } else if (shape instanceof ValueShape.Hstore) {
                writeHstore(text);
            } else if (shape instanceof ValueShape.TimestamptzRange range) {
                generator.writeString(PgRangeText.timestamptzRangeInUtc(text, column, range.multi()));
            } else if (shape instanceof ValueShape.Unsupported unsupported) {
                throw new ContractViolationException("column " + column + " (type " + unsupported.typeName() + "):"
                        + " the canonical codec cannot render this value exactly as to_jsonb does: "
                        + unsupported.reason());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeComposite(ValueShape.Composite composite, String text) throws IOException {
        List<String> fields = PgRecordText.fields(text, column, composite.typeName());
        if (fields.size() != composite.fields().size()) {
            throw new ContractViolationException("column " + column + " (type " + composite.typeName() + "): the"
                    + " value has " + fields.size() + " attributes but the type has " + composite.fields().size()
                    + " (" + text + "). The type changed after it was looked up; restart the capture");
        }
        generator.writeStartObject();
        for (int i = 0; i < fields.size(); i++) {
            ValueShape.Field field = composite.fields().get(i);
            generator.writeFieldName(field.name());
            if (fields.get(i) == null) {
                generator.writeNull();
            } else {
                writeShaped(field.shape(), fields.get(i));
            }
        }
        generator.writeEndObject();
    }

    private void writeHstore(String text) throws IOException {
        List<String> pairs = PgHstoreText.pairs(text, column);
        generator.writeStartObject();
        for (int i = 0; i < pairs.size(); i += 2) {
            generator.writeFieldName(pairs.get(i));
            if (pairs.get(i + 1) == null) {
                generator.writeNull();
            } else {
                generator.writeString(pairs.get(i + 1));
            }
        }
        generator.writeEndObject();
    }

    void writeNull() {
        try {
            generator.writeNull();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void startArray() {
        try {
            generator.writeStartArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void endArray() {
        try {
            generator.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ContractViolationException unsupported(PgType type, Object value, RuntimeException cause) {
        return new ContractViolationException("column " + column + ": the canonical codec cannot write a "
                + value.getClass().getName() + " as " + type + " (" + cause.getMessage() + "). The decoder handed"
                + " over a value of an unexpected kind; this is a bug in the engine adapter, please report it"
                + " with the column's type", cause);
    }
}
