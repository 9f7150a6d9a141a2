package io.bronzecdc.model.testing;

import org.junit.jupiter.api.Assumptions;

/**
 * The cases of a test that only the long run executes: {@code mvn -B verify -Dbronze.it.long=true}. A plain
 * {@code mvn -B verify} keeps one case of each kind and reports the others as skipped, with this reason, so it stays
 * within its time budget; the long run executes every case.
 */
public final class LongRuns {
    /** The system property ({@code -D} on Maven's command line reaches the test JVMs) that turns long runs on. */
    public static final String PROPERTY = "bronze.it.long";

    private LongRuns() {
    }

    public static boolean enabled() {
        return Boolean.getBoolean(PROPERTY);
    }

    /** Skips the calling case unless the long run is on. */
    public static void onlyInLongRuns(String what) {
        Assumptions.assumeTrue(enabled(), what + ": long run only (mvn -B verify -D" + PROPERTY + "=true)");
    }
}
