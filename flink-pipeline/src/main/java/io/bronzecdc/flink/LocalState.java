package io.bronzecdc.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;

/**
 * The checkpoints of a job run in-process ({@code bronze-cdc stream}, {@code BronzeCdcJob --local-state DIR}): kept
 * in a folder of the local file system, where every run writes {@code DIR/<job id>/chk-N/} and the next run restores
 * the newest completed one (a {@code chk-N} holding its {@code _metadata}), whichever run wrote it. A stopped or killed
 * run therefore resumes exactly: the sink commits what the checkpoint prepared, and the source reads on from the
 * checkpoint's position.
 *
 * @param directory the folder, created when missing
 */
public record LocalState(Path directory) {
    private static final String METADATA = "_metadata";

    public LocalState {
        directory = directory.toAbsolutePath().normalize();
    }

    /** The newest completed checkpoint of any earlier run, if there is one. */
    public Optional<Path> latestCheckpoint() {
        if (!Files.isDirectory(directory)) {
            return Optional.empty();
        }
        try (Stream<Path> jobs = Files.list(directory)) {
            return jobs.filter(Files::isDirectory)
                    .flatMap(LocalState::completedCheckpoints)
                    .max(Comparator.comparing(LocalState::completedAt));
        } catch (IOException e) {
            throw new UncheckedIOException("could not list the checkpoints in " + directory, e);
        }
    }

    /**
     * The Flink configuration of a run: file-system checkpoints in the folder, kept when the job is cancelled or
     * fails, and the newest completed checkpoint to restore when there is one.
     */
    public Configuration configuration() {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the checkpoint folder " + directory
                    + ": choose a writable folder", e);
        }
        Configuration conf = retaining(directory);
        latestCheckpoint().ifPresent(checkpoint ->
                conf.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpoint.toUri().toString()));
        return conf;
    }

    /** File-system checkpoints in {@code directory}, kept when the job is cancelled or fails; nothing restored. */
    public static Configuration retaining(Path directory) {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, directory.toUri().toString());
        conf.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        return conf;
    }

    /** The completed checkpoint of one job's folder ({@code <dir>/<job id>}) with the highest number, if any. */
    public static Optional<Path> latestOfJob(Path jobDirectory) {
        if (!Files.isDirectory(jobDirectory)) {
            return Optional.empty();
        }
        return completedCheckpoints(jobDirectory)
                .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(4))));
    }

    private static Stream<Path> completedCheckpoints(Path jobDirectory) {
        try (Stream<Path> children = Files.list(jobDirectory)) {
            return children.filter(p -> p.getFileName().toString().matches("chk-\\d+"))
                    .filter(p -> Files.isRegularFile(p.resolve(METADATA)))
                    .toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException("could not list the checkpoints in " + jobDirectory, e);
        }
    }

    private static FileTime completedAt(Path checkpoint) {
        try {
            return Files.getLastModifiedTime(checkpoint.resolve(METADATA));
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + checkpoint.resolve(METADATA), e);
        }
    }
}
