package io.bronzecdc.spark.job;

import io.bronzecdc.model.ExitCode;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line fails with {@link ExitCode#USAGE} before connecting to anything or starting Spark. */
class ValidationJobTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void shouldExitWithUsageWhenTheConfigOptionIsMissing() {
        assertThat(execute()).isEqualTo(ExitCode.NOT_READY.code());
        assertThat(errors()).contains("Missing required option: '--config=<pipeline.yaml>'");
    }

    @Test
    void shouldExitWithUsageWhenTheConfigHasProblems() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "source:\n  host: localhost\n");
        assertThat(execute("--config", file.toString())).isEqualTo(ExitCode.NOT_READY.code());
        assertThat(errors()).contains("source.slot.name");
    }

    @Test
    void shouldExitWithUsageOnABadLagThreshold() throws Exception {
        assertThat(execute("--config", goodConfig().toString(), "--lag-threshold", "soon"))
                .isEqualTo(ExitCode.NOT_READY.code());
        assertThat(errors()).contains("soon");
    }

    @Test
    void shouldExitWithUsageOnABadSchemaName() throws Exception {
        assertThat(execute("--config", goodConfig().toString(), "--schema", "Robert'); DROP"))
                .isEqualTo(ExitCode.NOT_READY.code());
        assertThat(errors()).contains("bronze schema");
    }

    private int execute(String... args) {
        return ValidationJob.execute(args, name -> "secret", new PrintStream(new ByteArrayOutputStream(), true),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String errors() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private Path goodConfig() throws Exception {
        return Files.writeString(dir.resolve("good.yaml"), String.join("\n", "source:", "  host: localhost",
                "  port: 5432", "  database: pagila", "  user: cdc", "  password:", "    env: PW", "  sslmode: disable",
                "  slot:", "    name: batch", "  publication:", "    name: batch_pub", "tables: [customer]", ""));
    }
}
