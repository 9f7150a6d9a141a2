package io.bronzecdc.model.source;

import java.util.List;
import java.util.Objects;

/**
 * A problem of the source database that an engine may fix itself ({@code --init}): its statements, and the
 * privileges the pipeline's role lacks to run them (empty when it may).
 *
 * @param problem what is wrong, without the fix, for example {@code publication p does not exist}
 * @param statements the SQL that fixes it, in order
 * @param missingPrivileges what the role lacks to run {@code statements}; empty when it may run them
 */
public record SourceFix(String problem, List<String> statements, List<PrivilegeGap> missingPrivileges) {
    public SourceFix {
        Objects.requireNonNull(problem, "problem");
        statements = List.copyOf(statements);
        missingPrivileges = List.copyOf(missingPrivileges);
        if (statements.isEmpty()) {
            throw new IllegalArgumentException("a fix needs at least one statement: " + problem);
        }
    }

    /** Whether the pipeline's role may run the statements. */
    public boolean permitted() {
        return missingPrivileges.isEmpty();
    }

    /** The statements as one line to copy, each ending with a semicolon. */
    public String script() {
        return String.join("; ", statements) + ";";
    }
}
