package io.bronzecdc.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capture path knows nothing of Pagila: no main source or resource of shared-model, flink-pipeline or
 * spark-batch names a Pagila table ({@code customer}, {@code payment}, {@code rental} as whole words), says
 * {@code pagila}, or uses the test kit ({@code io.bronzecdc.testkit}), in any case. Each hit is reported as
 * {@code file:line: text}.
 */
class CapturePathScanTest {
    private static final List<String> MODULES = List.of("shared-model", "flink-pipeline", "spark-batch");

    private static final Pattern FORBIDDEN = Pattern.compile(
            "\\b(customer|payment|rental)\\b|pagila|io\\.bronzecdc\\.testkit", Pattern.CASE_INSENSITIVE);

    /**
     * Files allowed to hit, each with the reason. The demo (package {@code cli}) runs on the test kit and moves
     * out of flink-pipeline with the cli module (issue 9); it only delegates to the kit.
     */
    private static final Map<String, String> ALLOWED = Map.of(
            "flink-pipeline/src/main/java/io/bronzecdc/flink/cli/DemoCommand.java",
            "the demo command: its --pagila-dir option and help name the demo's data set; PagilaDatabase loads it",
            "flink-pipeline/src/main/java/io/bronzecdc/flink/cli/DemoRun.java",
            "the demo's run: captures the tables PagilaDatabase gives, on the kit's EmbeddedPostgresServer",
            "flink-pipeline/src/main/java/io/bronzecdc/flink/cli/LiveWorkload.java",
            "the demo's live workload: runs the kit's ChangeWorkload at a rate",
            "flink-pipeline/src/main/java/io/bronzecdc/flink/cli/LiveTally.java",
            "the demo's tally of the kit's AppliedChange");

    @Test
    void shouldFindNoPagilaNameInTheCapturePath() {
        Path root = projectRoot();
        Map<String, List<String>> hits = new TreeMap<>();
        for (String module : MODULES) {
            Path main = root.resolve(module).resolve("src/main");
            assertThat(main).as("main sources of " + module).isDirectory();
            hits.putAll(scan(root, main));
        }
        List<String> unexpected = new ArrayList<>();
        hits.forEach((file, lines) -> {
            if (!ALLOWED.containsKey(file)) {
                unexpected.addAll(lines);
            }
        });
        assertThat(unexpected).as("Pagila names or test kit uses in the capture path: make the code generic (tables"
                + " from the configuration and the catalog) or move the Pagila part to the testkit module").isEmpty();
        assertThat(ALLOWED.keySet().stream().filter(file -> !hits.containsKey(file)).toList())
                .as("allow-list entries without a hit any more: remove them from ALLOWED").isEmpty();
    }

    @Test
    void shouldReportEachHitWithItsFileAndLine(@TempDir Path root) throws IOException {
        Path main = Files.createDirectories(root.resolve("m/src/main/java"));
        Files.writeString(main.resolve("A.java"), "class A {\n  // a Payment row\n  String t = \"customers\";\n"
                + "  String r = \"public.rental\";\n}\n");
        Files.writeString(main.resolve("b.sql"), "SELECT 1; -- pagila\n");
        Files.writeString(main.resolve("C.java"),
                "import io.bronzecdc.testkit.pagila.X;\nclass C { int rental_id; }\n");

        Map<String, List<String>> hits = scan(root, root.resolve("m/src/main"));

        assertThat(hits).containsOnlyKeys("m/src/main/java/A.java", "m/src/main/java/b.sql", "m/src/main/java/C.java");
        assertThat(hits.get("m/src/main/java/A.java")).containsExactly("m/src/main/java/A.java:2: // a Payment row",
                "m/src/main/java/A.java:4: String r = \"public.rental\";");
        assertThat(hits.get("m/src/main/java/C.java")).containsExactly(
                "m/src/main/java/C.java:1: import io.bronzecdc.testkit.pagila.X;");
    }

    /** The hits under {@code dir} by file (a path relative to {@code root}, with '/'), each as file:line: text. */
    private static Map<String, List<String>> scan(Path root, Path dir) {
        Map<String, List<String>> hits = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = root.relativize(file).toString().replace('\\', '/');
                // ISO-8859-1 reads any bytes; the names looked for are ASCII
                List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
                for (int i = 0; i < lines.size(); i++) {
                    if (FORBIDDEN.matcher(lines.get(i)).find()) {
                        hits.computeIfAbsent(name, k -> new ArrayList<>())
                                .add(name + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the sources under " + dir, e);
        }
        return hits;
    }

    /** The checkout: the parent of this module's directory, where Maven runs the tests. */
    private static Path projectRoot() {
        Path root = Path.of("").toAbsolutePath().getParent();
        assertThat(root.resolve("shared-model/pom.xml"))
                .as("the checkout above " + Path.of("").toAbsolutePath() + " (run from the testkit module)")
                .isRegularFile();
        return root;
    }
}
