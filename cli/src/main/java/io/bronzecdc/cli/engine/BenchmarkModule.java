package io.bronzecdc.cli.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The benchmarks module's entry points in a JVM of their own, for {@code bronze-cdc bench}: the end-to-end harness
 * ({@value #HARNESS_CLASS}) and the JMH micro-benchmarks ({@value #JMH_CLASS}). The command depends on the launcher
 * here, not on the benchmarks module, which depends on the command (no module cycle).
 */
public final class BenchmarkModule {
    /** The module that holds the harness and the micro-benchmarks. */
    public static final String MODULE = "benchmarks";
    /** The harness's main class. */
    public static final String HARNESS_CLASS = "io.bronzecdc.bench.harness.BenchMain";
    /** The micro-benchmarks' main class. */
    public static final String JMH_CLASS = "io.bronzecdc.bench.jmh.JmhMain";

    private final ProjectLayout layout;
    private final ModuleBuild build;

    private BenchmarkModule(ProjectLayout layout, ModuleBuild build) {
        this.layout = layout;
        this.build = build;
    }

    /** The module built in {@code layout}; throws naming the build to run when it is not built. */
    public static BenchmarkModule of(ProjectLayout layout) {
        return new BenchmarkModule(layout, layout.build(MODULE));
    }

    /** The harness with {@code arguments} (its own options, {@code --help} included). */
    public List<String> harnessCommand(List<String> arguments) {
        return command(HARNESS_CLASS, arguments);
    }

    /** JMH with {@code arguments} (JMH's own options). */
    public List<String> jmhCommand(List<String> arguments) {
        return command(JMH_CLASS, arguments);
    }

    private List<String> command(String mainClass, List<String> arguments) {
        // The harness finds the engines' and peers' build output through the same two properties as the command.
        List<String> command = new ArrayList<>(List.of(EngineRunner.javaExecutable(),
                "-D" + ProjectLayout.ROOT_PROPERTY + "=" + layout.root(),
                "-D" + ProjectLayout.VERSION_PROPERTY + "=" + layout.version(), EngineRunner.parentWatch(),
                "-cp", build.classpath(), mainClass));
        command.addAll(arguments);
        return command;
    }
}
