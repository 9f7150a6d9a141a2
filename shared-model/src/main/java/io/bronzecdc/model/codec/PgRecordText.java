package io.bronzecdc.model.codec;

import io.bronzecdc.model.ContractViolationException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads PostgreSQL's text output of a composite value ({@code record_out}: {@code (1,"a b",,"say ""hi""")}) into its
 * attribute texts: an empty unquoted attribute is NULL; inside quotes {@code ""} is a quote and a backslash escapes
 * the next character.
 */
final class PgRecordText {
    private PgRecordText() {
    }

    /** The attribute texts (null for NULL), in order. */
    static List<String> fields(String text, String column, String typeName) {
        int n = text.length();
        if (n < 2 || text.charAt(0) != '(' || text.charAt(n - 1) != ')') {
            throw malformed(text, column, typeName);
        }
        List<String> fields = new ArrayList<>();
        int pos = 1;
        while (true) {
            StringBuilder value = null;
            boolean inQuotes = false;
            while (pos < n - 1 || inQuotes) {
                if (pos >= n - 1) {
                    throw malformed(text, column, typeName);
                }
                char c = text.charAt(pos);
                if (!inQuotes && c == ',') {
                    break;
                }
                pos++;
                if (value == null) {
                    value = new StringBuilder();
                }
                if (c == '"') {
                    if (inQuotes && text.charAt(pos) == '"') {
                        value.append('"');
                        pos++;
                    } else {
                        inQuotes = !inQuotes;
                    }
                } else if (c == '\\') {
                    value.append(text.charAt(pos++));
                } else {
                    value.append(c);
                }
            }
            fields.add(value == null ? null : value.toString());
            if (pos >= n - 1) {
                return fields;
            }
            pos++; // the ','
        }
    }

    private static ContractViolationException malformed(String text, String column, String typeName) {
        return new ContractViolationException("column " + column + " (type " + typeName + "): malformed composite text '"
                + text + "': expected record_out's form (a,\"b c\",,...)");
    }
}
