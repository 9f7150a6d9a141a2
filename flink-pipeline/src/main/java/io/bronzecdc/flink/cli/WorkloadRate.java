package io.bronzecdc.flink.cli;

import java.util.Locale;

/**
 * The live workload's asked rate against what it achieved: committed transactions over the seconds it ran.
 *
 * @param asked transactions per second asked for ({@code --rate})
 * @param transactions transactions committed
 * @param changes row changes committed
 * @param seconds seconds the workload ran
 * @param connections connections it ran on
 * @param rolledBack transactions PostgreSQL rolled back (deadlocks between connections); not counted as committed
 */
record WorkloadRate(int asked, long transactions, long changes, double seconds, int connections, long rolledBack) {
    /** Below this share of the asked rate, the demo says the workload fell short. */
    static final double SHORT_BELOW = 0.95;

    static WorkloadRate of(LiveWorkload workload) {
        LiveTally tally = workload.tally();
        return new WorkloadRate(workload.plan().ratePerSecond(), tally.transactions(), tally.changes(),
                workload.elapsedSeconds(), workload.plan().connections(), tally.rolledBackTransactions());
    }

    /** Committed transactions per second. */
    double achieved() {
        return seconds <= 0 ? 0 : transactions / seconds;
    }

    boolean fellShort() {
        return achieved() < asked * SHORT_BELOW;
    }

    /** {@code 1,987 tx/s achieved of 2,000 asked}, for the progress lines. */
    String brief() {
        return String.format(Locale.ROOT, "%,.0f tx/s achieved of %,d asked", achieved(), asked);
    }

    /** The whole sentence, for the end of the workload and the final report. */
    String describe() {
        String sentence = String.format(Locale.ROOT, "%,d transactions (%,d changes) in %.2f s on %d connection%s: %s",
                transactions, changes, seconds, connections, connections == 1 ? "" : "s", brief());
        if (rolledBack > 0) {
            sentence += String.format(Locale.ROOT, " (%,d rolled back by deadlocks, not counted)", rolledBack);
        }
        if (fellShort()) {
            sentence += String.format(Locale.ROOT, "; FELL SHORT of the asked rate (%.0f%%): this machine could"
                    + " not commit faster on %d connections while the job ran", 100 * achieved() / asked, connections);
        }
        return sentence;
    }
}
