/**
 * The benchmark's peers, each started in a JVM of its own like the engines ({@link io.bronzecdc.cli.engine}): a plain
 * Flink CDC job ({@link io.bronzecdc.bench.peer.FlinkCdcPeer}) and the Debezium embedded engine
 * ({@link io.bronzecdc.bench.peer.DebeziumPeer}), writing the same bronze contract on the same pipeline config. Which
 * code is the peer's and which is ours: {@code peer-flink-cdc/README.md} and {@code peer-debezium/README.md}.
 */
package io.bronzecdc.bench.peer;
