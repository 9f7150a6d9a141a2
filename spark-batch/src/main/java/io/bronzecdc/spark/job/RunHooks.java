package io.bronzecdc.spark.job;

/**
 * Called at each {@link RunPoint} of a run; tests use it to crash a run at an exact point (the CDC-BASE
 * {@code SnapshotPhaseHooks} idea). Production runs use {@link #NONE}.
 */
@FunctionalInterface
public interface RunHooks {
    /** Hooks that do nothing. */
    RunHooks NONE = point -> { };

    /**
     * Called when the run reaches {@code point}; may be called several times for the chunk points.
     *
     * @throws RuntimeException to make the run fail at this point
     */
    void at(RunPoint point);
}
