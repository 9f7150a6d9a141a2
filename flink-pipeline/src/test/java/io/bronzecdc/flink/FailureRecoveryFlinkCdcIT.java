package io.bronzecdc.flink;

import io.bronzecdc.model.config.SourceConnector;

/** {@link FailureRecoveryIT} with the Flink CDC source ({@code source.connector: flink-cdc}). */
class FailureRecoveryFlinkCdcIT extends FailureRecoveryIT {
    @Override
    SourceConnector connector() {
        return SourceConnector.FLINK_CDC;
    }
}
