package io.bronzecdc.model.config;

import java.util.List;
import java.util.Objects;

/**
 * The pipeline configuration is unusable. Thrown once at startup, before anything connects, and lists every
 * problem found rather than only the first, so one edit fixes them all:
 *
 * <pre>
 * pipeline config /etc/bronze/pipeline.yaml has 2 problems:
 *   - source.port: expected an integer 1..65535 but found 'abc'
 *   - source.sslmode: expected one of disable, allow, prefer, require, verify-ca, verify-full but found no value; ...
 * </pre>
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String sourceName;
    @SuppressWarnings("serial") // always an unmodifiable list from List.copyOf, which is serializable
    private final List<ConfigProblem> problems;

    /**
     * @param sourceName where the configuration came from, usually the file path
     * @param problems every problem found, at least one
     */
    public ConfigException(String sourceName, List<ConfigProblem> problems) {
        super(message(sourceName, problems));
        this.sourceName = sourceName;
        this.problems = List.copyOf(problems);
    }

    /**
     * @param sourceName where the configuration came from, usually the file path
     * @param problems every problem found, at least one
     * @param cause the failure behind the problems, for example the I/O error reading the file
     */
    public ConfigException(String sourceName, List<ConfigProblem> problems, Throwable cause) {
        super(message(sourceName, problems), cause);
        this.sourceName = sourceName;
        this.problems = List.copyOf(problems);
    }

    /** Where the configuration came from, usually the file path. */
    public String sourceName() {
        return sourceName;
    }

    /** Every problem found, in the order found; never empty. */
    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String message(String sourceName, List<ConfigProblem> problems) {
        Objects.requireNonNull(sourceName, "sourceName");
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem for " + sourceName);
        }
        StringBuilder message = new StringBuilder("pipeline config ").append(sourceName).append(" has ")
                .append(problems.size()).append(problems.size() == 1 ? " problem:" : " problems:");
        for (ConfigProblem problem : problems) {
            message.append("\n  - ").append(problem.line());
        }
        return message.toString();
    }
}
