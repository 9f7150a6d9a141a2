package io.bronzecdc.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PeerOptionsTest {
    @Test
    void shouldPutTheWorkFolderNextToTheConfigByDefault() {
        PeerOptions options = PeerOptions.parse("debezium", new String[] {"--config", "/tmp/x/pipeline.yaml"});

        assertThat(options.config()).isEqualTo(Path.of("/tmp/x/pipeline.yaml"));
        assertThat(options.work()).isEqualTo(Path.of("/tmp/x/pipeline.yaml.debezium-work"));
    }

    @Test
    void shouldTakeTheWorkFolderGiven() {
        PeerOptions options = PeerOptions.parse("flink-cdc",
                new String[] {"--work", "/tmp/state", "--config", "/tmp/x/pipeline.yaml"});

        assertThat(options.work()).isEqualTo(Path.of("/tmp/state"));
    }

    @Test
    void shouldNameWhatIsWrongWithTheCommandLine() {
        assertThatThrownBy(() -> PeerOptions.parse("debezium", new String[0]))
                .hasMessage("--config is required. Usage: debezium --config <pipeline yaml> [--work <state dir>]");
        assertThatThrownBy(() -> PeerOptions.parse("debezium", new String[] {"--config"}))
                .hasMessageStartingWith("unexpected argument '--config'");
        assertThatThrownBy(() -> PeerOptions.parse("debezium", new String[] {"--config", "a.yaml", "--init"}))
                .hasMessageStartingWith("unexpected argument '--init'");
    }
}
