/**
 * The event model both engines share: change events, the canonical {@code full_row} payload, the bronze
 * contract, sequencing, validators, configuration, and the PostgreSQL capture parts both engines use. Plain
 * Java, JDBC and Jackson only: no Flink, no Spark; no particular source tables (the demo's and the tests' data
 * set is in the test kit).
 */
package io.bronzecdc.model;
