/**
 * JMH micro-benchmarks and the end-to-end harness that drives both engines with one workload and
 * reports latency, throughput and LSN integrity side by side.
 */
package io.bronzecdc.bench;
