package io.bronzecdc.model.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.source.TablePattern;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration example of README.md loads as documented, so the README stays true. */
class ReadmeConfigExampleTest {
    @Test
    void shouldLoadTheReadmeExample() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("```yaml\n");
        assertThat(start).as("README.md has a yaml example").isNotNegative();
        String yaml = readme.substring(start + "```yaml\n".length(), readme.indexOf("```", start + 7));

        PipelineConfig config = PipelineConfigLoader.parse(yaml, "README.md",
                Map.of("BRONZE_CDC_PASSWORD", "s3cret")::get);

        assertThat(config.source().password().reveal()).isEqualTo("s3cret");
        assertThat(config.source().slotName()).isEqualTo("bronze_flink");
        assertThat(config.bronze().schema()).isEqualTo("cdc_bronze");
        assertThat(config.tables().include()).extracting(TablePattern::text)
                .containsExactly("customer", "payment", "rental");
        assertThat(config.batchInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.checkpointInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.toString()).doesNotContain("s3cret");
    }
}
