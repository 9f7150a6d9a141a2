package io.bronzecdc.flink;

import io.bronzecdc.model.config.SourceConnector;
import io.bronzecdc.model.testing.LongRuns;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link FailureRecoveryIT} with the Flink CDC source ({@code source.connector: flink-cdc}): every failure, each with
 * one seed at parallelism 2 (the Flink CDC source then reads its snapshot in two subtasks), to keep {@code mvn verify}
 * within its time; the pgoutput source runs every seed.
 */
class FailureRecoveryFlinkCdcIT extends FailureRecoveryIT {
    @Override
    SourceConnector connector() {
        return SourceConnector.FLINK_CDC;
    }

    @Override
    @ParameterizedTest(name = "seed {0}, parallelism {1}")
    @CsvSource({"11, 2"})
    void shouldRecoverFromATaskFailureDuringTheSnapshot(long seed, int parallelism, @TempDir Path checkpoints)
            throws Exception {
        super.shouldRecoverFromATaskFailureDuringTheSnapshot(seed, parallelism, checkpoints);
    }

    @Override
    @ParameterizedTest(name = "seed {0}, parallelism {1}")
    @CsvSource({"13, 2"})
    void shouldContinueExactlyFromTheLatestCheckpointAfterTheJobIsCancelledDuringTheSnapshot(long seed,
            int parallelism, @TempDir Path checkpoints) throws Exception {
        LongRuns.onlyInLongRuns("the Flink CDC source, seed " + seed);
        super.shouldContinueExactlyFromTheLatestCheckpointAfterTheJobIsCancelledDuringTheSnapshot(seed, parallelism,
                checkpoints);
    }

    @Override
    @ParameterizedTest(name = "seed {0}, parallelism {1}")
    @CsvSource({"37, 2"})
    void shouldRecoverFromATaskFailureWhileStreamingUnderLoad(long seed, int parallelism, @TempDir Path checkpoints)
            throws Exception {
        LongRuns.onlyInLongRuns("the Flink CDC source, seed " + seed);
        super.shouldRecoverFromATaskFailureWhileStreamingUnderLoad(seed, parallelism, checkpoints);
    }

    @Override
    @ParameterizedTest(name = "seed {0}, parallelism {1}")
    @CsvSource({"43, 2"})
    void shouldRecoverFromAFailureBetweenTheSinksWriteAndTheCheckpointsCompletion(long seed, int parallelism,
            @TempDir Path checkpoints) throws Exception {
        super.shouldRecoverFromAFailureBetweenTheSinksWriteAndTheCheckpointsCompletion(seed, parallelism, checkpoints);
    }

    @Override
    @ParameterizedTest(name = "seed {0}, parallelism {1}")
    @CsvSource({"41, 2"})
    void shouldContinueExactlyFromTheLatestCheckpointAfterTheJobIsCancelledWhileStreamingUnderLoad(long seed,
            int parallelism, @TempDir Path checkpoints) throws Exception {
        LongRuns.onlyInLongRuns("the Flink CDC source, seed " + seed);
        super.shouldContinueExactlyFromTheLatestCheckpointAfterTheJobIsCancelledWhileStreamingUnderLoad(seed,
                parallelism, checkpoints);
    }
}
