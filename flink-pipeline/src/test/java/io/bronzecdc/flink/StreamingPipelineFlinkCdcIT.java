package io.bronzecdc.flink;

import io.bronzecdc.model.config.SourceConnector;
import org.junit.jupiter.api.BeforeAll;

/** {@link StreamingPipelineIT} with the Flink CDC source ({@code source.connector: flink-cdc}). */
class StreamingPipelineFlinkCdcIT extends StreamingPipelineIT {
    @BeforeAll
    static void startOnPagila() throws Exception {
        startOnPagila(SourceConnector.FLINK_CDC);
    }
}
