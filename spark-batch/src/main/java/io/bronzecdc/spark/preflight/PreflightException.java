package io.bronzecdc.spark.preflight;

import java.util.List;

/** The source cannot feed the pipeline; {@link #problems()} lists every problem with its fix. */
public final class PreflightException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public PreflightException(String pipeline, List<String> problems) {
        super("Preflight of pipeline " + pipeline + " failed with " + problems.size() + " problem"
                + (problems.size() == 1 ? "" : "s") + ":\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem with its fix. */
    public List<String> problems() {
        return problems;
    }
}
