package io.bronzecdc.cli;

import io.bronzecdc.cli.engine.FlinkEngine;
import io.bronzecdc.cli.engine.ForegroundProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code bronze-cdc demo}: the embedded PostgreSQL server, the Pagila rows, a live workload and the Flink job, all in
 * the Flink engine's JVM (io.bronzecdc.flink.cli), with a live progress line and a summary. Every argument,
 * {@code --help} included, goes to it unchanged.
 */
@Command(name = "demo", description = "Runs bronze-cdc on an embedded PostgreSQL with the Pagila rows: no setup"
        + " needed. bronze-cdc demo --help lists its options.")
final class DemoCommand implements Callable<Integer> {
    @Parameters(paramLabel = "OPTION", description = "The demo's options (bronze-cdc demo --help).")
    private List<String> arguments = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        FlinkEngine flink = Engines.flink();
        return ForegroundProcess.run(flink.name(), flink.demoCommand(arguments, Engines.layout().root()),
                flink.environment());
    }
}
