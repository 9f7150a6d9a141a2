package io.bronzecdc.model.pgoutput;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One column value of a pgoutput tuple ({@code TupleData}): SQL NULL ({@code 'n'}), an unchanged TOASTed value
 * sent only as a marker ({@code 'u'}), text output ({@code 't'}) or binary send output ({@code 'b'}).
 */
public sealed interface TupleValue
        permits TupleValue.Null, TupleValue.UnchangedToast, TupleValue.Text, TupleValue.Binary {

    /** The one SQL NULL value. */
    TupleValue NULL = new Null();

    /** The one unchanged-TOAST marker. */
    TupleValue UNCHANGED_TOAST = new UnchangedToast();

    /** The protocol's kind byte: {@code n}, {@code u}, {@code t} or {@code b}. */
    char kind();

    /** SQL NULL ({@code 'n'}). */
    record Null() implements TupleValue {
        @Override
        public char kind() {
            return 'n';
        }
    }

    /**
     * An unchanged TOASTed value ({@code 'u'}): the server did not send it because the update left it alone and
     * the old row was not logged in full.
     */
    record UnchangedToast() implements TupleValue {
        @Override
        public char kind() {
            return 'u';
        }
    }

    /** A value in the type's text output ({@code 't'}), decoded from UTF-8. */
    record Text(String value) implements TupleValue {
        public Text {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public char kind() {
            return 't';
        }
    }

    /** A value in the type's binary send format ({@code 'b'}); read-only. */
    record Binary(ByteBuffer value) implements TupleValue {
        public Binary {
            value = value.asReadOnlyBuffer();
        }

        @Override
        public char kind() {
            return 'b';
        }
    }
}
