package io.bronzecdc.model.codec;

import io.bronzecdc.model.ContractViolationException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads hstore's text output ({@code "a"=>"1", "b"=>NULL}: keys and values always quoted, {@code "} and {@code \}
 * escaped with a backslash) into key/value pairs, as its cast to json ({@code hstore_to_json}) sees them.
 */
final class PgHstoreText {
    private final String text;
    private final String column;
    private int pos;

    private PgHstoreText(String text, String column) {
        this.text = text;
        this.column = column;
    }

    /** Keys and values alternately; a null value is SQL NULL. */
    static List<String> pairs(String text, String column) {
        return new PgHstoreText(text, column).read();
    }

    private List<String> read() {
        List<String> pairs = new ArrayList<>();
        skipSpaces();
        while (pos < text.length()) {
            pairs.add(quoted());
            expect("=>");
            if (text.startsWith("NULL", pos)) {
                pos += 4;
                pairs.add(null);
            } else {
                pairs.add(quoted());
            }
            skipSpaces();
            if (pos < text.length()) {
                expect(",");
                skipSpaces();
            }
        }
        return pairs;
    }

    private String quoted() {
        expect("\"");
        StringBuilder value = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw malformed("a closing quote");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return value.toString();
            }
            value.append(c == '\\' ? text.charAt(pos++) : c);
        }
    }

    private void expect(String token) {
        if (!text.startsWith(token, pos)) {
            throw malformed("'" + token + "' at position " + pos);
        }
        pos += token.length();
    }

    private void skipSpaces() {
        while (pos < text.length() && text.charAt(pos) == ' ') {
            pos++;
        }
    }

    private ContractViolationException malformed(String expected) {
        return new ContractViolationException("column " + column + " (type hstore): malformed hstore text '" + text
                + "': expected " + expected);
    }
}
