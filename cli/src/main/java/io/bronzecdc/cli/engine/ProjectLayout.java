package io.bronzecdc.cli.engine;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the engine modules' build output is: the project root (the directory holding {@code flink-pipeline/}
 * and {@code spark-batch/}) and the project version that names their jars.
 *
 * @param root the project root
 * @param version the Maven project version, for example {@code 0.1.0-SNAPSHOT}
 */
public record ProjectLayout(Path root, String version) {
    /** System property naming the project root; the benchmarks pom sets it for tests. */
    public static final String ROOT_PROPERTY = "bronze.project.dir";
    /** System property naming the project version; the benchmarks pom sets it for tests. */
    public static final String VERSION_PROPERTY = "bronze.project.version";

    public ProjectLayout {
        if (root == null || version == null || version.isBlank()) {
            throw new IllegalArgumentException("root and version are required but were " + root + " and '"
                    + version + "'");
        }
        root = root.toAbsolutePath().normalize();
    }

    /**
     * The layout named by {@value #ROOT_PROPERTY} and {@value #VERSION_PROPERTY}.
     *
     * @throws IllegalStateException naming the missing property, or the root when it holds no engine modules
     */
    public static ProjectLayout fromSystemProperties() {
        String root = System.getProperty(ROOT_PROPERTY);
        String version = System.getProperty(VERSION_PROPERTY);
        if (root == null || root.isBlank() || version == null || version.isBlank()) {
            throw new IllegalStateException("system properties " + ROOT_PROPERTY + " (the project root) and "
                    + VERSION_PROPERTY + " (the project version) must both be set, but were '" + root + "' and '"
                    + version + "'. The benchmarks pom sets them for Maven runs; elsewhere pass -D" + ROOT_PROPERTY
                    + "=<dir> -D" + VERSION_PROPERTY + "=<version>");
        }
        ProjectLayout layout = new ProjectLayout(Path.of(root), version);
        if (!Files.isDirectory(layout.moduleDir(FlinkEngine.MODULE))
                || !Files.isDirectory(layout.moduleDir(SparkEngine.MODULE))) {
            throw new IllegalStateException(ROOT_PROPERTY + " is " + layout.root() + ", which holds no "
                    + FlinkEngine.MODULE + "/ and " + SparkEngine.MODULE + "/ modules: point it at the project root");
        }
        return layout;
    }

    /** The directory of {@code module}. */
    public Path moduleDir(String module) {
        return root.resolve(module);
    }

    /** The build output of {@code module}: jar and classpath files, checked to exist. */
    public ModuleBuild build(String module) {
        return ModuleBuild.locate(this, module);
    }
}
