package io.bronzecdc.flink.preflight;

import java.util.List;

/**
 * The source database is not ready for this pipeline. Lists every problem found, each with its fix; nothing was
 * written.
 */
public final class PreflightException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /**
     * @param databases who the problems are about, such as {@code database x} or {@code source database x or
     *     target database y}
     */
    public PreflightException(String databases, List<String> problems) {
        super(databases + " is not ready for this pipeline (" + problems.size()
                + (problems.size() == 1 ? " problem" : " problems") + "; nothing was changed):\n  - "
                + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem with its fix. */
    public List<String> problems() {
        return problems;
    }
}
