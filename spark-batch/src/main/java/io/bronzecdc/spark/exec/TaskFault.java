package io.bronzecdc.spark.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkEnv;

/**
 * Failure injection for the kill tests: a task fails at a named point, once per armed file. Set
 * {@value #CONF} to {@code <point>:<action>:<file>} ({@code point} one of {@link Point}, {@code action}
 * {@code throw} (the task fails, Spark runs it again) or {@code halt} (the executor JVM dies at once, as with
 * SIGKILL)). The first task to reach the point deletes {@code file} and fails; without the file nothing happens, so a
 * fault fires once however many executors share the setting. Never set outside tests.
 */
public final class TaskFault {
    /** The Spark setting that arms a fault. */
    public static final String CONF = "spark.bronze.test.taskFault";

    /** Where a task can be made to fail. */
    public enum Point {
        /** A read task has read and encoded its rows, before handing them on. */
        READ,
        /** A write task has committed its rows to the stage table, before reporting them. */
        STAGED
    }

    private TaskFault() {
    }

    /** Fails here when a fault for {@code point} is armed and not yet fired. */
    static void at(Point point) {
        SparkEnv env = SparkEnv.get();
        if (env == null) {
            return;
        }
        String setting = env.conf().get(CONF, "");
        if (setting.isEmpty()) {
            return;
        }
        String[] parts = setting.split(":", 3);
        if (parts.length != 3 || !parts[0].equalsIgnoreCase(point.name())) {
            return;
        }
        try {
            if (!Files.deleteIfExists(Path.of(parts[2]))) {
                return;
            }
        } catch (IOException e) {
            throw new IllegalStateException(CONF + ": cannot delete " + parts[2], e);
        }
        if ("halt".equals(parts[1])) {
            Runtime.getRuntime().halt(137);
        }
        throw new IllegalStateException("injected task failure at " + point + " (" + CONF + ")");
    }
}
