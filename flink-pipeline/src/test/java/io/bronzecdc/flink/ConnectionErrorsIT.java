package io.bronzecdc.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.testing.ConnectionFaults;
import io.bronzecdc.model.testing.ConnectionFaults.Fault;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The connection mistakes a new user meets first, through the job's own command line (what {@code flink run}
 * calls): each ends before submission with one message naming the config key and the fix, exit code 2, no stack
 * trace, no password, and nothing created on the server.
 */
class ConnectionErrorsIT {
    @TempDir
    static Path dir;
    private static ConnectionFaults faults;

    @BeforeAll
    static void startPasswordCheckingServer() throws Exception {
        faults = ConnectionFaults.start(dir);
    }

    @AfterAll
    static void stopServer() {
        if (faults != null) {
            faults.close();
        }
    }

    static List<Fault> faults() {
        return faults.faults();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void shouldExplainTheFaultInOneMessageAndWriteNothing(Fault fault) throws Exception {
        String slot = "conn_" + faults.faults().indexOf(fault);
        Result result = runJob("--config", faults.config(fault, slot).toString(), "--init");

        assertThat(result.exitCode()).isEqualTo(BronzeCdcJob.EXIT_NOT_READY);
        assertThat(result.stderr()).startsWith("bronze-cdc: Cannot connect to database ")
                .contains(fault.expected())
                .doesNotContain("\tat ", "Exception", ConnectionFaults.PASSWORD, ConnectionFaults.WRONG_PASSWORD);
        assertThat(result.stderr().strip().lines()).as("one message").hasSize(1);
        faults.assertNothingWritten(slot);
    }

    @Test
    void shouldPrintTheStackTraceOnlyWithVerbose() throws Exception {
        Fault wrongPassword = faults.faults().get(0);
        Result result = runJob("--config", faults.config(wrongPassword, "conn_verbose").toString(), "--verbose");

        assertThat(result.exitCode()).isEqualTo(BronzeCdcJob.EXIT_NOT_READY);
        assertThat(result.stderr()).contains(wrongPassword.expected())
                .contains("SourceConnectionException", "\tat ", "Caused by: org.postgresql.util.PSQLException")
                .doesNotContain(ConnectionFaults.WRONG_PASSWORD);
    }

    private static Result runJob(String... args) {
        StringWriter err = new StringWriter();
        int exitCode = BronzeCdcJob.commandLine().setErr(new PrintWriter(err)).execute(args);
        System.out.println("bronze-cdc-job " + String.join(" ", args) + " -> " + exitCode + "\n" + err);
        return new Result(exitCode, err.toString());
    }

    private record Result(int exitCode, String stderr) {
    }
}
