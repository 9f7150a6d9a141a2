package io.bronzecdc.spark.job;

import io.bronzecdc.model.ExitCode;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line fails with {@link ExitCode#USAGE} before connecting to anything or starting Spark. */
class MicroBatchJobTest {
    @TempDir
    Path dir;

    @Test
    void shouldExitWithUsageWhenTheConfigOptionIsMissing() {
        assertThat(MicroBatchJob.execute(new String[] {}, name -> null, RunHooks.NONE))
                .isEqualTo(ExitCode.NOT_READY.code());
    }

    @Test
    void shouldExitWithUsageWhenTheConfigFileIsMissing() {
        assertThat(MicroBatchJob.execute(new String[] {"--config", dir.resolve("absent.yaml").toString()},
                name -> null, RunHooks.NONE)).isEqualTo(ExitCode.NOT_READY.code());
    }

    @Test
    void shouldExitWithUsageWhenTheConfigHasProblems() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "source:\n  host: localhost\n");
        assertThat(MicroBatchJob.execute(new String[] {"--config", file.toString()}, name -> null, RunHooks.NONE))
                .isEqualTo(ExitCode.NOT_READY.code());
    }

    @Test
    void shouldExitWithUsageOnABadRetryDelay() throws Exception {
        Path file = Files.writeString(dir.resolve("good.yaml"), String.join("\n", "source:", "  host: localhost",
                "  port: 5432", "  database: pagila", "  user: cdc", "  password:", "    env: PW", "  sslmode: disable",
                "  slot:", "    name: batch", "  publication:", "    name: batch_pub", "tables: [customer]", ""));
        assertThat(MicroBatchJob.execute(new String[] {"--config", file.toString(), "--retry-delay", "soon"},
                name -> "secret", RunHooks.NONE)).isEqualTo(ExitCode.NOT_READY.code());
    }
}
