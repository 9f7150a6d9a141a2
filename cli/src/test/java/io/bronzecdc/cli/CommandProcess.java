package io.bronzecdc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The {@code bronze-cdc} command in a JVM of its own, as {@code bin/bronze-cdc} starts it (the engines it starts run
 * in further JVMs), with its output in a file.
 *
 * @param process the running command
 * @param log the file holding its stdout and stderr
 */
record CommandProcess(Process process, Path log) {
    /** Starts {@code args} in {@code directory} with {@code environment} added. */
    static CommandProcess start(Path directory, Path log, Map<String, String> environment, List<String> args)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Dbronze.project.dir=" + System.getProperty("bronze.project.dir"),
                "-Dbronze.project.version=" + System.getProperty("bronze.project.version"),
                "-cp", System.getProperty("java.class.path"), BronzeCdc.class.getName()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        System.out.println("$ bronze-cdc " + String.join(" ", args) + "   (output: " + log + ")");
        return new CommandProcess(builder.start(), log);
    }

    /** Runs {@code args} to its end (at most five minutes) and returns the exit code. */
    static int run(Path directory, Path log, Map<String, String> environment, List<String> args) throws Exception {
        CommandProcess command = start(directory, log, environment, args);
        assertThat(command.process().waitFor(5, TimeUnit.MINUTES)).as("%s finishes; output:%n%s",
                String.join(" ", args), command.output()).isTrue();
        System.out.println("  exit " + command.process().exitValue());
        return command.process().exitValue();
    }

    /** SIGINT, as Ctrl-C in a terminal sends it. */
    void interrupt() throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    /** Waits up to two minutes for the exit and returns its code. */
    int awaitExit() throws Exception {
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the command exits; output:%n%s", output()).isTrue();
        return process.exitValue();
    }

    String output() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }
}
