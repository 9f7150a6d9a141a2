package io.bronzecdc.cli;

import io.bronzecdc.cli.engine.BenchmarkModule;
import io.bronzecdc.cli.engine.ForegroundProcess;
import io.bronzecdc.model.ExitCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code bronze-cdc bench}: hands over to the benchmarks module in a JVM of its own, the end-to-end harness by
 * default ({@code --smoke}, {@code --full}; {@code bronze-cdc bench --help} lists its options), or the JMH
 * micro-benchmarks with {@code --jmh} (every argument after it goes to JMH).
 */
@Command(name = "bench", description = "Measures both engines and two peers on one workload beside this machine's"
        + " ceiling and writes a report with charts (--smoke: minutes, --full: about an hour); --jmh runs the"
        + " micro-benchmarks. bronze-cdc bench --help lists its options.")
final class BenchCommand implements Callable<Integer> {
    static final String JMH = "--jmh";

    @Parameters(paramLabel = "OPTION", description = "The harness's options (bronze-cdc bench --help), or --jmh and"
            + " JMH's options.")
    private List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        BenchmarkModule benchmarks;
        try {
            benchmarks = BenchmarkModule.of(Engines.layout());
        } catch (IllegalStateException e) {
            throw new CommandException(ExitCode.NOT_READY, e.getMessage() + ". bin/bronze-cdc bench builds it on its"
                    + " next start", e);
        }
        boolean jmh = !arguments.isEmpty() && arguments.get(0).equals(JMH);
        List<String> command = jmh ? benchmarks.jmhCommand(arguments.subList(1, arguments.size()))
                : benchmarks.harnessCommand(arguments);
        return ForegroundProcess.run(BenchmarkModule.MODULE, command, Map.of());
    }
}
