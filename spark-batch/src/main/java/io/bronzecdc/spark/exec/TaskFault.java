package io.bronzecdc.spark.exec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.SparkEnv;

/**
 * Failure injection for the kill tests: a task fails at a named point, once per armed file. Set {@value #CONF} to
 * a comma-separated list of faults {@code <point>:<action>:<file>} ({@code point} one of {@link Point},
 * {@code action} {@code throw} (the task fails, Spark runs it again) or {@code halt} (the executor JVM dies at once,
 * as with SIGKILL)), such as {@code READ:throw:/tmp/read,STAGED:halt:/tmp/staged}. The first task to reach a point
 * deletes the file of a fault for that point and fails; without the file nothing happens, so a fault fires once
 * however many executors share the setting, and a test arms it by creating the file. Several faults may name the
 * same point: each armed file makes one task fail. File paths cannot contain commas. A malformed setting fails the
 * task that reads it, naming the entry. Never set outside tests.
 */
public final class TaskFault {
    /** The Spark setting that arms the faults. */
    public static final String CONF = "spark.bronze.test.taskFault";

    /** Where a task can be made to fail. */
    public enum Point {
        /** A read task has read and encoded its rows, before handing them on. */
        READ,
        /** A write task has committed its rows to the stage table, before reporting them. */
        STAGED
    }

    /** What a task does when its fault fires. */
    public enum Action {
        /** Throws: the task fails and Spark runs it again. */
        THROW,
        /** Halts the executor JVM at once (exit status 137), as SIGKILL would. */
        HALT
    }

    /** One fault of the setting: at {@code point}, do {@code action} when {@code file} exists. */
    public record Fault(Point point, Action action, Path file) {
    }

    private TaskFault() {
    }

    /**
     * The faults of a {@value #CONF} value, in order; empty for an empty value.
     *
     * @throws IllegalArgumentException naming the entry when one is not {@code <point>:<throw|halt>:<file>}
     */
    public static List<Fault> parse(String setting) {
        List<Fault> faults = new ArrayList<>();
        for (String entry : setting.split(",")) {
            String text = entry.strip();
            if (text.isEmpty()) {
                continue;
            }
            String[] parts = text.split(":", 3);
            if (parts.length != 3 || parts[2].isBlank()) {
                throw malformed(text, "expected <point>:<action>:<file>");
            }
            Point point;
            Action action;
            try {
                point = Point.valueOf(parts[0].strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw malformed(text, "unknown point " + parts[0].strip() + " (READ or STAGED)");
            }
            try {
                action = Action.valueOf(parts[1].strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw malformed(text, "unknown action " + parts[1].strip() + " (throw or halt)");
            }
            faults.add(new Fault(point, action, Path.of(parts[2].strip())));
        }
        return faults;
    }

    /** Fails here when a fault for {@code point} is armed and not yet fired. */
    static void at(Point point) {
        SparkEnv env = SparkEnv.get();
        if (env == null) {
            return;
        }
        at(point, env.conf().get(CONF, ""));
    }

    /** {@link #at(Point)} with the setting given. */
    static void at(Point point, String setting) {
        for (Fault fault : parse(setting)) {
            if (fault.point() == point && fire(fault)) {
                if (fault.action() == Action.HALT) {
                    Runtime.getRuntime().halt(137);
                }
                throw new IllegalStateException("injected task failure at " + point + " (" + CONF + ")");
            }
        }
    }

    /** Disarms {@code fault}: true when its file existed, so this task is the one that fails. */
    private static boolean fire(Fault fault) {
        try {
            return Files.deleteIfExists(fault.file());
        } catch (IOException e) {
            throw new IllegalStateException(CONF + ": cannot delete " + fault.file(), e);
        }
    }

    private static IllegalArgumentException malformed(String entry, String problem) {
        return new IllegalArgumentException(CONF + ": entry '" + entry + "' is malformed: " + problem
                + "; the setting is a comma-separated list of <READ|STAGED>:<throw|halt>:<file>");
    }
}
