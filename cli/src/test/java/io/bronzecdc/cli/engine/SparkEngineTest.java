package io.bronzecdc.cli.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkEngineTest {
    @TempDir
    Path dir;

    @Test
    void shouldReadSparksModuleFlagsFromTheSparkBatchPom() {
        ProjectLayout layout = ProjectLayout.fromSystemProperties();

        List<String> flags = SparkEngine.moduleOptions(layout.moduleDir(SparkEngine.MODULE).resolve("pom.xml"));

        assertThat(flags).contains("--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED").allMatch(flag -> flag.startsWith("-"));
    }

    @Test
    void shouldPutTheFlagsBeforeTheClasspathAndTheJobArguments() {
        SparkEngine engine = new SparkEngine(new ModuleBuild("spark-batch", Path.of("a.jar"), "a.jar:b.jar"),
                List.of("--add-opens=java.base/java.nio=ALL-UNNAMED"));

        List<String> command = engine.command(Path.of("/etc/p.yaml"));

        assertThat(command.subList(1, command.size())).containsExactly("--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Dspark.master=local[2]", "-Dspark.ui.enabled=false", "-cp", "a.jar:b.jar",
                "io.bronzecdc.spark.job.MicroBatchJob", "--config", "/etc/p.yaml", "--retries", "0");
        assertThat(engine.environment()).containsEntry("SPARK_LOCAL_IP", "127.0.0.1");
    }

    @Test
    void shouldRefuseAPomWithoutTheFlagsProperty() throws IOException {
        Path pom = dir.resolve("pom.xml");
        Files.writeString(pom, "<project><properties><other>x</other></properties></project>");

        assertThatThrownBy(() -> SparkEngine.moduleOptions(pom)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has no property spark.java.module.options");
    }

    @Test
    void shouldNameTheMissingFilesAndTheBuildWhenAModuleIsNotBuilt() throws IOException {
        Files.createDirectories(dir.resolve("spark-batch/target"));
        Files.writeString(dir.resolve("spark-batch/target/runtime-classpath.txt"), "/x.jar");
        ProjectLayout layout = new ProjectLayout(dir, "9.9");

        assertThatThrownBy(() -> layout.build("spark-batch")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("spark-batch is not built: missing " + dir.resolve(
                        "spark-batch/target/spark-batch-9.9.jar") + ", " + dir.resolve(
                        "spark-batch/target/provided-classpath.txt"))
                .hasMessageContaining("mvn -B -DskipTests -pl spark-batch -am package");
    }
}
