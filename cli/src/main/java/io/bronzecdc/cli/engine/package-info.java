/**
 * Starts each engine in a JVM of its own from its module's build output ({@link
 * io.bronzecdc.cli.engine.EngineRunner}, one implementation per engine): Flink and Spark cannot share a
 * classpath.
 */
package io.bronzecdc.cli.engine;
