package io.bronzecdc.model.codec;

/**
 * Reads PostgreSQL's text output of an array ({@code {1,2,NULL}}, {@code {{"a b",c},{d,e}}},
 * {@code [0:1]={1,2}}, {@code {(1,1),(0,0);(2,2),(1,1)}} for box, whose delimiter is {@code ;}) and writes it as
 * nested JSON arrays, element by element, as {@code to_jsonb} does (dimension bounds are dropped).
 */
final class PgArrayText extends TextCursor {
    private final char delimiter;

    PgArrayText(String text, String column, char delimiter) {
        super(text, column, "array");
        this.delimiter = delimiter;
    }

    void writeTo(CanonicalRowWriter writer, ValueShape elementType) {
        if (text.startsWith("[")) {
            pos = text.indexOf('=') + 1;
            if (pos == 0) {
                throw malformed("'=' after the dimension bounds");
            }
        }
        array(writer, elementType);
        requireEnd("the end of the array");
    }

    private void array(CanonicalRowWriter writer, ValueShape elementType) {
        expect('{');
        writer.startArray();
        if (peek() == '}') {
            pos++;
            writer.endArray();
            return;
        }
        while (true) {
            if (peek() == '{') {
                array(writer, elementType);
            } else if (peek() == '"') {
                writer.writeShaped(elementType, quoted());
            } else {
                String token = unquoted();
                if (token.equals("NULL")) {
                    writer.writeNull();
                } else {
                    writer.writeShaped(elementType, token);
                }
            }
            char next = next();
            if (next == '}') {
                writer.endArray();
                return;
            }
            if (next != delimiter) {
                throw malformed("'" + delimiter + "' or '}' at position " + (pos - 1));
            }
        }
    }

    private String quoted() {
        expect('"');
        StringBuilder value = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return value.toString();
            }
            value.append(c == '\\' ? next() : c);
        }
    }

    private String unquoted() {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) != delimiter && text.charAt(pos) != '}') {
            pos++;
        }
        return text.substring(start, pos);
    }
}
