/**
 * The event model both engines share: change events, the canonical {@code full_row} payload, the bronze
 * contract, sequencing, validators, configuration, the embedded PostgreSQL server and the Pagila source.
 * Plain Java, JDBC and Jackson only: no Flink, no Spark.
 */
package io.bronzecdc.model;
