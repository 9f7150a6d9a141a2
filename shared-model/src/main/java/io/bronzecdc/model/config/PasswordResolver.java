package io.bronzecdc.model.config;

import static io.bronzecdc.model.config.PipelineConfigKeys.SOURCE_PASSWORD_ENV;
import static io.bronzecdc.model.config.PipelineConfigKeys.SOURCE_PASSWORD_FILE;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Reads a password (the source's, or the bronze target's) from where the config file points: an environment
 * variable or a file. Problems name the key, the variable or the path, never the content.
 */
final class PasswordResolver {
    /**
     * The keys of one password and whose password it is.
     *
     * @param envKey the key naming the environment variable
     * @param fileKey the key naming the file
     * @param side {@code source} or {@code target}, for messages
     */
    record Keys(String envKey, String fileKey, String side) {
        static final Keys SOURCE = new Keys(SOURCE_PASSWORD_ENV.name(), SOURCE_PASSWORD_FILE.name(), "source");
    }

    private final Function<String, String> environment;
    private final List<ConfigProblem> problems;

    PasswordResolver(Function<String, String> environment, List<ConfigProblem> problems) {
        this.environment = environment;
        this.problems = problems;
    }

    /** The password held by environment variable {@code name}, or null after adding a problem. */
    Secret fromEnvironment(String name) {
        return fromEnvironment(name, Keys.SOURCE);
    }

    /** The password held by environment variable {@code name}, or null after adding a problem under {@code keys}. */
    Secret fromEnvironment(String name, Keys keys) {
        String value = environment.apply(name);
        if (value == null || value.isEmpty()) {
            problems.add(new ConfigProblem(keys.envKey(),
                    "environment variable " + name + " to hold the " + keys.side() + " password",
                    value == null ? "no variable " + name + " in the environment" : name + " set but empty",
                    "set " + name + " in the job's environment before it starts, or use "
                            + keys.fileKey() + " instead"));
            return null;
        }
        return Secret.of(value);
    }

    /**
     * The content of {@code file} without trailing line breaks, or null after adding a problem. Other trailing
     * whitespace is kept: it may be part of the password.
     */
    Secret fromFile(Path file) {
        return fromFile(file, Keys.SOURCE);
    }

    /** The content of {@code file}, or null after adding a problem under {@code keys}. */
    Secret fromFile(Path file, Keys keys) {
        Path absolute = file.toAbsolutePath();
        String content;
        try {
            content = Files.readString(absolute, StandardCharsets.UTF_8);
        } catch (IOException e) {
            problems.add(new ConfigProblem(keys.fileKey(),
                    "a readable UTF-8 file holding the " + keys.side() + " password", describe(absolute, e),
                    "check the path and that the job's user may read the file"));
            return null;
        }
        String password = content.replaceFirst("[\\r\\n]+\\z", "");
        if (password.isEmpty()) {
            problems.add(new ConfigProblem(keys.fileKey(),
                    "a readable UTF-8 file holding the " + keys.side() + " password", "an empty file at " + absolute,
                    "write the password into the file"));
            return null;
        }
        return Secret.of(password);
    }

    private static String describe(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no file at " + file;
        }
        if (e instanceof AccessDeniedException) {
            return "no permission to read " + file;
        }
        if (Files.isDirectory(file)) {
            return "a directory at " + file;
        }
        if (e instanceof CharacterCodingException) {
            return "a file at " + file + " that is not UTF-8 text";
        }
        // The message of an I/O error names the path or the OS error, never the file's content.
        return "an unreadable file at " + file + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
    }
}
