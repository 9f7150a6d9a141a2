/**
 * The Spark 4.0 batch engine: the five-minute micro-batch (resume from the last LSN, append) and the
 * validation job, both for {@code spark-submit}. Built on {@code io.bronzecdc.model}.
 */
package io.bronzecdc.spark;
