package io.bronzecdc.model.codec;

/**
 * Re-prints the text output of a timestamptz range ({@code ["2020-01-01 05:30:00+05:30",)}, {@code empty}) or
 * multirange ({@code {[..,..), [..,..]}}) with its bounds in UTC, as {@code range_out} prints them under
 * {@code TimeZone = 'UTC'}; so the value equals {@code to_jsonb}'s whatever zone the sender printed it in.
 */
final class PgRangeText extends TextCursor {
    private final StringBuilder out;

    private PgRangeText(String text, String column) {
        super(text, column, "timestamptz range");
        this.out = new StringBuilder(text.length());
    }

    static String timestamptzRangeInUtc(String text, String column, boolean multi) {
        PgRangeText range = new PgRangeText(text, column);
        if (multi) {
            range.multirange();
        } else {
            range.range();
        }
        range.requireEnd("the end of the value");
        return range.out.toString();
    }

    private void multirange() {
        expect('{');
        out.append('{');
        if (peek() != '}') {
            while (true) {
                range();
                if (peek() != ',') {
                    break;
                }
                out.append(next());
            }
        }
        expect('}');
        out.append('}');
    }

    private void range() {
        if (text.startsWith("empty", pos)) {
            pos += 5;
            out.append("empty");
            return;
        }
        char open = next();
        if (open != '[' && open != '(') {
            throw malformed("'[', '(' or 'empty' at position " + (pos - 1));
        }
        out.append(open);
        bound();
        expect(',');
        out.append(',');
        bound();
        char close = next();
        if (close != ']' && close != ')') {
            throw malformed("']' or ')' at position " + (pos - 1));
        }
        out.append(close);
    }

    private void bound() {
        char c = peek();
        if (c == ',' || c == ']' || c == ')') {
            return; // unbounded
        }
        StringBuilder value = new StringBuilder();
        if (c == '"') {
            pos++;
            while (true) {
                char q = next();
                if (q == '"') {
                    if (pos < text.length() && text.charAt(pos) == '"') {
                        value.append('"');
                        pos++;
                    } else {
                        break;
                    }
                } else {
                    value.append(q == '\\' ? next() : q);
                }
            }
        } else {
            while (peek() != ',' && peek() != ']' && peek() != ')') {
                value.append(next());
            }
        }
        String utc = PgTextValues.timestamptzText(value.toString(), column);
        boolean quote = utc.isEmpty() || utc.chars().anyMatch(ch -> "\"\\()[],".indexOf(ch) >= 0
                || Character.isWhitespace(ch));
        if (quote) {
            out.append('"');
        }
        for (int i = 0; i < utc.length(); i++) {
            char ch = utc.charAt(i);
            if (ch == '"' || ch == '\\') {
                out.append(ch);
            }
            out.append(ch);
        }
        if (quote) {
            out.append('"');
        }
    }
}
