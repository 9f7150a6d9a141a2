package io.bronzecdc.bench.engine;

/**
 * {@link AnyDatabaseIT} with bronze in a database of its own ({@code target:} in both pipelines' config): the same
 * mixed database, patterns, seeded workload and checks; the engines write bronze to the target while their slots,
 * snapshots and catalogs stay on the source, and the validators compare the target's logs with the source's tables.
 * The kills between the target commit and the slot advance are in {@code SeparateTargetIT} (Flink) and
 * {@code SeparateTargetBatchIT} (Spark).
 */
class AnyDatabaseTargetIT extends AnyDatabaseIT {
}
