/**
 * JMH micro-benchmarks of the hot paths a change takes on its way to bronze: the canonical {@code full_row} encoding
 * (from JDBC values and from pgoutput text), pgoutput decoding, Debezium records to change events, dense lsn
 * sequencing and COPY row encoding. Each runs in a forked JVM on seeded sample rows ({@link
 * io.bronzecdc.bench.jmh.SampleTable}: Pagila's payment and wide rows of many types); {@link
 * io.bronzecdc.bench.jmh.JmhMain} runs them all. {@code JmhBenchmarksTest} runs each once and checks its output.
 */
package io.bronzecdc.bench.jmh;
