package io.bronzecdc.model.validate;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to validate.
 *
 * @param lagThreshold alert when {@code now() - max(load_ts)} exceeds it (default 10 minutes)
 * @param commitTimeTolerance how far commit_ts may go back between consecutive transactions before it counts as
 *     an order inversion; PostgreSQL takes the commit time just before writing the commit record, so concurrent
 *     commits may differ by a few microseconds from WAL order (default 1 second)
 * @param compareWithSource run the replay-equals-source checks (the source tables may be in another database)
 * @param slotName the pipeline's replication slot, to report its retained WAL; empty to skip
 */
public record ValidationOptions(
        Duration lagThreshold, Duration commitTimeTolerance, boolean compareWithSource, Optional<String> slotName) {

    public ValidationOptions {
        Objects.requireNonNull(lagThreshold, "lagThreshold");
        Objects.requireNonNull(commitTimeTolerance, "commitTimeTolerance");
        Objects.requireNonNull(slotName, "slotName");
        if (lagThreshold.isNegative() || lagThreshold.isZero()) {
            throw new IllegalArgumentException("lagThreshold must be > 0 but was " + lagThreshold);
        }
        if (commitTimeTolerance.isNegative()) {
            throw new IllegalArgumentException("commitTimeTolerance must be >= 0 but was " + commitTimeTolerance);
        }
    }

    /** Lag threshold 10 minutes, commit-time tolerance 1 second, compare with the source, no slot. */
    public static ValidationOptions defaults() {
        return new ValidationOptions(Duration.ofMinutes(10), Duration.ofSeconds(1), true, Optional.empty());
    }

    /** These options with another lag threshold. */
    public ValidationOptions withLagThreshold(Duration threshold) {
        return new ValidationOptions(threshold, commitTimeTolerance, compareWithSource, slotName);
    }

    /** These options reporting on {@code slot}. */
    public ValidationOptions withSlot(String slot) {
        return new ValidationOptions(lagThreshold, commitTimeTolerance, compareWithSource, Optional.of(slot));
    }

    /** These options with another commit-time tolerance ({@link Duration#ZERO} in tests with one writer). */
    public ValidationOptions withCommitTimeTolerance(Duration tolerance) {
        return new ValidationOptions(lagThreshold, tolerance, compareWithSource, slotName);
    }

    /** These options with or without the replay-equals-source checks. */
    public ValidationOptions withCompareWithSource(boolean compare) {
        return new ValidationOptions(lagThreshold, commitTimeTolerance, compare, slotName);
    }
}
