package io.bronzecdc.model.codec;

import java.util.List;
import java.util.Objects;

/**
 * How {@code to_jsonb} renders a value of one PostgreSQL type, resolved once per type (domains already replaced by
 * their base type, as {@code to_jsonb} does): a scalar of a {@link PgType} category, an array of a shape, a
 * composite type as a nested object, an hstore (whose cast to json {@code to_jsonb} calls), a range of
 * timestamptz (its bounds printed in UTC), or a type the codec cannot render exactly.
 */
public sealed interface ValueShape {
    /** The {@code pg_type} name of the type, for messages ({@code int4}, {@code kit_types.item}, {@code _text}). */
    String typeName();

    /** A scalar rendered by its category. */
    record Scalar(String typeName, PgType kind) implements ValueShape {
        public Scalar {
            Objects.requireNonNull(typeName, "typeName");
            Objects.requireNonNull(kind, "kind");
        }
    }

    /**
     * An array: a JSON array (nested for several dimensions, bounds dropped) of its elements' renderings.
     *
     * @param delimiter the element type's {@code typdelim} ({@code ;} for box, {@code ,} otherwise)
     */
    record Array(String typeName, ValueShape element, char delimiter) implements ValueShape {
        public Array {
            Objects.requireNonNull(typeName, "typeName");
            Objects.requireNonNull(element, "element");
        }
    }

    /** A composite type: a JSON object of its attributes in attribute order. */
    record Composite(String typeName, List<Field> fields) implements ValueShape {
        public Composite {
            Objects.requireNonNull(typeName, "typeName");
            fields = List.copyOf(fields);
        }
    }

    /** One attribute of a composite type. */
    record Field(String name, ValueShape shape) {
        public Field {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(shape, "shape");
        }
    }

    /** hstore: {@code to_jsonb} calls its cast to json, giving an object of string (or null) values. */
    record Hstore(String typeName) implements ValueShape {
    }

    /**
     * A range or multirange of timestamptz: {@code to_jsonb} gives its text under {@code TimeZone = 'UTC'}, so
     * the bounds are re-printed in UTC whatever zone the value was printed in.
     */
    record TimestamptzRange(String typeName, boolean multi) implements ValueShape {
    }

    /** A type the codec cannot render exactly: any non-null value fails, naming the column, type and reason. */
    record Unsupported(String typeName, String reason) implements ValueShape {
    }

    /**
     * The shape of a built-in type from its {@code pg_type.typname}: an array when the name starts with
     * {@code _} (elements delimited by {@code ,}, or {@code ;} for box).
     */
    static ValueShape ofBuiltInName(String typeName) {
        if (typeName.equals("_box")) {
            return new Array("_box", new Scalar("box", PgType.OTHER), ';');
        }
        if (PgType.isArrayTypeName(typeName)) {
            return new Array(typeName, ofBuiltInName(typeName.substring(1)), ',');
        }
        return switch (typeName) {
            case "tstzrange" -> new TimestamptzRange(typeName, false);
            case "tstzmultirange" -> new TimestamptzRange(typeName, true);
            default -> new Scalar(typeName, PgType.fromTypeName(typeName));
        };
    }
}
