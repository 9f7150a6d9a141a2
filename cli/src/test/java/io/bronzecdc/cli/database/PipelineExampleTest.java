package io.bronzecdc.cli.database;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.config.ConfigKey;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.PipelineConfigKeys;
import io.bronzecdc.model.config.PipelineConfigLoader;
import io.bronzecdc.model.config.SourceConnector;
import io.bronzecdc.model.config.SslMode;
import io.bronzecdc.model.source.TablePattern;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code pipeline.example.yaml} at the repository root loads as documented, with a comment on every key. */
class PipelineExampleTest {
    private static final Path EXAMPLE = Path.of(System.getProperty("bronze.project.dir", ".."), "pipeline.example.yaml");

    @Test
    void loadsWithSslmodePreferAndThePasswordFromTheEnvironment() {
        PipelineConfig config = PipelineConfigLoader.load(EXAMPLE, Map.of("BRONZE_CDC_PASSWORD", "s3cret-example")::get);

        assertThat(config.source().sslMode()).isEqualTo(SslMode.parse("prefer"));
        assertThat(config.source().password().reveal()).isEqualTo("s3cret-example");
        assertThat(config.source().slotName()).isEqualTo("bronze_pipeline");
        assertThat(config.source().publicationName()).isEqualTo("bronze_pub");
        assertThat(config.connector()).isEqualTo(SourceConnector.PGOUTPUT);
        assertThat(config.hasSeparateTarget()).isFalse();
        assertThat(config.bronze().schema()).isEqualTo("cdc_bronze");
        assertThat(config.tables().include()).extracting(TablePattern::text).containsExactly("customer", "payment",
                "rental");
        assertThat(config.batchInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.lagThreshold()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.checkpointInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void commentsEveryKeyAndShowsEveryKeyOfTheLoader() throws Exception {
        List<String> lines = Files.readAllLines(EXAMPLE);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.matches("\\s*[a-z]+: *[^ #].*")) { // a key with its value, not a section
                boolean commented = line.contains(" # ") || lines.get(i - 1).trim().startsWith("#");
                assertThat(commented).as("line %d has a comment on it or above it: %s", i + 1, line).isTrue();
            }
        }
        String text = String.join("\n", lines);
        for (ConfigKey<?> key : PipelineConfigKeys.ALL) {
            String leaf = key.name().substring(key.name().lastIndexOf('.') + 1);
            assertThat(text).as("the example shows key " + key.name()).containsPattern("\\b" + leaf + ":");
        }
    }
}
