package io.bronzecdc.flink;

/**
 * {@link StreamingPipelineIT} with the Flink CDC source ({@code source.connector: flink-cdc}); its
 * {@code @BeforeAll} picks the source by the test class.
 */
class StreamingPipelineFlinkCdcIT extends StreamingPipelineIT {
}
