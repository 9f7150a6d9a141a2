package io.bronzecdc.spark.job;

import io.bronzecdc.model.ExitCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.testing.ConnectionFaults;
import io.bronzecdc.model.testing.ConnectionFaults.Fault;
import io.bronzecdc.spark.testing.BatchPipeline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The connection mistakes a new user meets first, through both Spark jobs' command lines: each ends with one
 * message naming the config key and the fix, exit code 2, no stack trace, no password, and nothing created on the
 * server. The micro-batch job retries only what waiting can cure.
 */
class ConnectionErrorsIT {
    /** Long enough that a retry of a fault not worth retrying would hit the test's timeout. */
    private static final String LONG_RETRY = "10m";
    private static final Function<String, String> NO_ENVIRONMENT = name -> null;

    @TempDir
    static Path dir;
    private static ConnectionFaults faults;
    private static SparkSession spark;

    @BeforeAll
    static void start() throws Exception {
        faults = ConnectionFaults.start(dir);
        spark = BatchPipeline.localSession("ConnectionErrorsIT");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
        if (faults != null) {
            faults.close();
        }
    }

    static List<Fault> faults() {
        return faults.faults();
    }

    static List<Fault> faultsNotWorthRetrying() {
        return faults.faults().stream().filter(fault -> !fault.name().equals("refused port")).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faultsNotWorthRetrying")
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void shouldExplainTheMicroBatchFaultAtOnceWithoutRetrying(Fault fault) throws Exception {
        String slot = "spark_conn_" + faults.faults().indexOf(fault);
        Result result = microBatch("--config", faults.config(fault, slot).toString(), "--retries", "3",
                "--retry-delay", LONG_RETRY);

        assertOneMessage(result, fault);
        assertThat(result.err()).doesNotContain("Gave up");
        faults.assertNothingWritten(slot);
    }

    @Test
    void shouldRetryARefusedConnectionThenExplainIt() throws Exception {
        Fault refused = faults.faults().stream().filter(fault -> fault.name().equals("refused port")).findFirst()
                .orElseThrow();
        Result result = microBatch("--config", faults.config(refused, "spark_conn_refused").toString(),
                "--retries", "1", "--retry-delay", "50ms");

        assertOneMessage(result, refused);
        assertThat(result.err()).contains("Gave up after 2 attempt(s); raise --retries or --retry-delay");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void shouldExplainTheValidationFault(Fault fault) throws Exception {
        String slot = "spark_val_" + faults.faults().indexOf(fault);
        Result result = validation("--config", faults.config(fault, slot).toString());

        assertOneMessage(result, fault);
        assertThat(result.out()).isEmpty();
        faults.assertNothingWritten(slot);
    }

    @Test
    void shouldPrintTheStackTraceOnlyWithVerbose() throws Exception {
        Fault wrongPassword = faults.faults().get(0);
        Path config = faults.config(wrongPassword, "spark_verbose");
        for (Result result : List.of(microBatch("--config", config.toString(), "--verbose"),
                validation("--config", config.toString(), "--verbose"))) {
            assertThat(result.code()).isEqualTo(ExitCode.NOT_READY.code());
            assertThat(result.err()).contains(wrongPassword.expected())
                    .contains("SourceConnectionException", "\tat ", "Caused by: org.postgresql.util.PSQLException")
                    .doesNotContain(ConnectionFaults.WRONG_PASSWORD);
        }
    }

    private static void assertOneMessage(Result result, Fault fault) {
        assertThat(result.code()).isEqualTo(ExitCode.NOT_READY.code());
        assertThat(result.err()).startsWith("Cannot connect to database ").contains(fault.expected())
                .doesNotContain("\tat ", "Exception", ConnectionFaults.PASSWORD, ConnectionFaults.WRONG_PASSWORD);
        assertThat(result.err().strip().lines()).as("one message").hasSize(1);
    }

    private static Result microBatch(String... args) {
        return run("micro-batch", args, (out, err) -> MicroBatchJob.execute(args, NO_ENVIRONMENT, RunHooks.NONE, out,
                err));
    }

    private static Result validation(String... args) {
        return run("validate", args, (out, err) -> ValidationJob.execute(args, NO_ENVIRONMENT, out, err));
    }

    private static Result run(String job, String[] args, JobCall call) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = call.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        Result result = new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        System.out.println(job + " " + String.join(" ", args) + " -> " + code + "\n" + result.out() + result.err());
        return result;
    }

    private interface JobCall {
        int run(PrintStream out, PrintStream err);
    }

    private record Result(int code, String out, String err) {
    }
}
