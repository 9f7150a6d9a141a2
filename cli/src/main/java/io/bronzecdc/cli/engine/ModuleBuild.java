package io.bronzecdc.cli.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An engine module's build output that a plain {@code java -cp} needs: the module jar ({@code
 * target/<module>-<version>.jar}) and the two classpath files its pom writes at {@code package}
 * ({@code target/runtime-classpath.txt}: compile + runtime; {@code target/provided-classpath.txt}: the engine itself).
 *
 * @param module the module name, for example {@code spark-batch}
 * @param jar the module jar
 * @param classpath the jar, then the runtime classpath, then the provided classpath, joined by the path separator
 */
public record ModuleBuild(String module, Path jar, String classpath) {
    static final String RUNTIME_CLASSPATH = "runtime-classpath.txt";
    static final String PROVIDED_CLASSPATH = "provided-classpath.txt";

    /**
     * Reads {@code module}'s build output.
     *
     * @throws IllegalStateException listing every missing file and the build command that makes them
     */
    static ModuleBuild locate(ProjectLayout layout, String module) {
        Path target = layout.moduleDir(module).resolve("target");
        Path jar = target.resolve(module + "-" + layout.version() + ".jar");
        Path runtime = target.resolve(RUNTIME_CLASSPATH);
        Path provided = target.resolve(PROVIDED_CLASSPATH);
        List<String> missing = new ArrayList<>();
        for (Path file : List.of(jar, runtime, provided)) {
            if (!Files.isRegularFile(file)) {
                missing.add(file.toString());
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException(module + " is not built: missing " + String.join(", ", missing)
                    + ". Build it before starting the engine: mvn -B -DskipTests install (in " + layout.root()
                    + "), or mvn -B -DskipTests -pl " + module + " -am package");
        }
        String separator = System.getProperty("path.separator");
        String providedClasspath = read(provided, true);
        return new ModuleBuild(module, jar, providedClasspath.isEmpty()
                ? String.join(separator, jar.toString(), read(runtime, false))
                : String.join(separator, jar.toString(), read(runtime, false), providedClasspath));
    }

    /** The classpath in {@code classpathFile}; only a provided classpath may be empty (a module without one). */
    private static String read(Path classpathFile, boolean mayBeEmpty) {
        try {
            String classpath = Files.readString(classpathFile).strip();
            if (classpath.isEmpty() && !mayBeEmpty) {
                throw new IllegalStateException(classpathFile + " is empty: rebuild the module (mvn -B -DskipTests"
                        + " package)");
            }
            return classpath;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the classpath file " + classpathFile, e);
        }
    }
}
