/**
 * The pipeline configuration: one YAML file, loaded into typed records before anything connects.
 *
 * <ul>
 *   <li>{@link io.bronzecdc.model.config.PipelineConfigKeys} declares every key once: name, type, default or
 *       required, description.</li>
 *   <li>{@link io.bronzecdc.model.config.PipelineConfigLoader} reads the file and reports every problem at once
 *       in a {@link io.bronzecdc.model.config.ConfigException}.</li>
 *   <li>{@link io.bronzecdc.model.config.PipelineConfig} is the result, shared by both engines.</li>
 *   <li>{@link io.bronzecdc.model.config.PipelineConfigDescriber} renders it for the startup log, password
 *       masked, and renders the key reference.</li>
 * </ul>
 *
 * <p>The password never appears in the file: it comes from an environment variable or a file named there, and is
 * held in a {@link io.bronzecdc.model.config.Secret}, whose {@code toString} is a mask.
 */
package io.bronzecdc.model.config;
