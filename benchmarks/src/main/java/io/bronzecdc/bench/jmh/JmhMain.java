package io.bronzecdc.bench.jmh;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.openjdk.jmh.Main;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Runs the micro-benchmarks with JMH's own command line ({@code -h} lists its options; {@code -f 1 -wi 1 -i 2} for a
 * quick look) and prints JMH's table. Without a benchmark pattern it runs every benchmark of this package; unless
 * {@code -foe} says otherwise, a benchmark that fails stops the run with exit code 1 (JMH's default goes on and exits
 * 0). Start it with this module's classes and runtime classpath on {@code -cp}; JMH's forked JVMs inherit that
 * classpath.
 */
public final class JmhMain {
    /** The pattern of every benchmark here. */
    static final String ALL = "io\\.bronzecdc\\.bench\\.jmh\\.";

    private JmhMain() {
    }

    public static void main(String[] args) throws Exception {
        Main.main(withDefaults(args));
    }

    /**
     * {@code args}, with {@code -foe true} unless they set {@code -foe}, and the pattern of every benchmark here unless
     * they name one.
     */
    static String[] withDefaults(String[] args) {
        CommandLineOptions options;
        try {
            options = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            return args; // JMH's Main reports it
        }
        List<String> all = new ArrayList<>();
        if (!options.shouldFailOnError().hasValue()) {
            all.addAll(List.of("-foe", "true"));
        }
        all.addAll(Arrays.asList(args));
        if (options.getIncludes().isEmpty()) {
            all.add(ALL);
        }
        return all.toArray(String[]::new);
    }
}
