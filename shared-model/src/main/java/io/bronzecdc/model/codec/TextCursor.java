package io.bronzecdc.model.codec;

import io.bronzecdc.model.ContractViolationException;

/**
 * A position in the text output of one value, for the readers of composite text forms (arrays, ranges). Running
 * out of input or meeting an unexpected character is a {@link ContractViolationException} that quotes the text and
 * names the column.
 */
abstract class TextCursor {
    protected final String text;
    protected final String column;
    protected int pos;
    private final String kind;

    /** @param kind what the text is, for messages, for example {@code array} */
    protected TextCursor(String text, String column, String kind) {
        this.text = text;
        this.column = column;
        this.kind = kind;
    }

    protected char peek() {
        if (pos >= text.length()) {
            throw malformed("more input");
        }
        return text.charAt(pos);
    }

    protected char next() {
        char c = peek();
        pos++;
        return c;
    }

    protected void expect(char c) {
        if (next() != c) {
            throw malformed("'" + c + "' at position " + (pos - 1));
        }
    }

    /** Fails unless the whole text was read. */
    protected void requireEnd(String what) {
        if (pos != text.length()) {
            throw malformed(what + " at position " + pos);
        }
    }

    protected ContractViolationException malformed(String expected) {
        return new ContractViolationException("column " + column + ": malformed " + kind + " text '" + text
                + "': expected " + expected);
    }
}
