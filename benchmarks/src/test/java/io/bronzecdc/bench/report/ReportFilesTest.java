package io.bronzecdc.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.bench.report.BenchReport.Measurement;
import io.bronzecdc.bench.report.BenchReport.Pipeline;
import io.bronzecdc.bench.report.ReportTable.Column;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.NodeList;

class ReportFilesTest {
    /** Where the fixture's report is left for people to look at: benchmarks/target/report-sample. */
    static final Path SAMPLE = Path.of(System.getProperty("basedir", ".")).resolve("target/report-sample");
    /** Per placement: a latency CDF per rate, throughput, share of the ceiling and cost; one drain time chart. */
    static final int FIXTURE_CHARTS = 2 * (3 + 1 + 1 + 1) + 1;

    @TempDir
    Path dir;

    @Test
    void shouldWriteTheThreeFilesAndTheSample() throws IOException {
        ReportFiles.Written written = ReportFiles.write(BenchReportFixture.realistic(), SAMPLE);

        assertThat(written.all())
                .allSatisfy(file -> assertThat(file).isRegularFile().isNotEmptyFile());
        assertThat(written.html()).isEqualTo(SAMPLE.resolve("report.html"));
        System.out.println("Sample report (seed " + BenchReportFixture.SEED + "): " + written.html().toAbsolutePath());
    }

    @Test
    void shouldReadBackAnEqualReportFromTheJson() throws IOException {
        BenchReport report = BenchReportFixture.realistic();
        ReportFiles.Written written = ReportFiles.write(report, dir);

        BenchReport read = ReportJson.read(written.json());

        assertSameReport(read, report);
        Measurement live = report.measurements().stream().filter(m -> m.latency() != null).findFirst().orElseThrow();
        Measurement liveRead = read.measurements().get(report.measurements().indexOf(live));
        assertThat(liveRead.latency().cdf()).hasSize(200);
        for (int i = 0; i < live.latency().cdf().size(); i++) {
            assertThat(liveRead.latency().cdf().get(i)).containsExactly(live.latency().cdf().get(i));
        }
        assertThat(read.workload().transactionSizes()).containsEntry(50_000, 0.001);
        assertThat(read.oursIntact()).isTrue();
        assertThat(Files.readString(written.json())).contains("\"oursIntact\" : true", "\"ratioToCeiling\"");
    }

    @Test
    void shouldShowEveryPipelineTheFailedPeerAndTheUnfinishedMeasurementInMarkdown() throws IOException {
        String md = Files.readString(ReportFiles.write(BenchReportFixture.realistic(), dir).markdown());

        assertThat(md).startsWith("# bronze-cdc benchmark: full run of 2026-12-02T01:02:03Z, commit e17dfba\n");
        for (String pipeline : List.of("flink", "flink-cdc-source", "spark", "flink-cdc", "debezium")) {
            assertThat(md).contains("| " + pipeline + " | " + (Pipeline.isOurs(pipeline) ? "ours" : "peer") + " |");
        }
        assertThat(md).contains("- **FAIL** debezium (peer) on same-server: 7 violation(s), first:",
                "| debezium | peer | same-server | **FAIL** | 2,434,574 | 7 |",
                "- **Peers: integrity FAILED for debezium on same-server (7 violations); passed for the others.**",
                "- **Ours (flink, flink-cdc-source, spark): integrity passed on every placement.**",
                "**timed out after 120 s (lag kept growing)**",
                "| same-server | 1,000,000 | 108,000 | 1,000,000 | 187,000 |",
                "bin/bronze-cdc bench --full --seed 20261202 --pagila-scale 1 --wide-rows 200000 --snapshot-rows"
                        + " 5000000 --backlog 1000000 --rates 1000,5000,20000 --duration 60\n",
                "50,000: 0.1%");
        assertThat(md).contains("... and 2 more");
        // Every table row has as many cells as its header.
        assertThat(md.lines().filter(line -> line.startsWith("|")).map(ReportFilesTest::markdownCells).distinct())
                .allSatisfy(cells -> assertThat(cells).isIn(18, 10, 7, 5, 2, 15));
        // Text from the run is literal: the note's angle brackets do not become HTML.
        assertThat(md).contains("\\<io.bronzecdc.model.codec\\>").doesNotContainPattern("(?<!\\\\)<io");
    }

    @Test
    void shouldGiveThePeersRatiosToOursOnTheSameScenario() {
        ReportTable ratios = PeerRatios.table(BenchReportFixture.realistic());

        List<String> backlog = cells(ratios, "same-server", "backlog", "debezium");
        // 21,000 / 15,200 (flink), 21,000 / 14,000 (flink-cdc-source) and 21,000 / 61,000 (spark); backlog has
        // no latency.
        assertThat(backlog.subList(7, 15)).containsExactly("1.38×", ReportFormat.MISSING, "1.50×",
                ReportFormat.MISSING, "0.34×", ReportFormat.MISSING, "FAIL", ReportFormat.MISSING);
        // At 5,000/s flink-cdc shares flink's setting (checkpoint 300ms): one ratio, not one per flink setting.
        List<String> sameSetting = cells(ratios, "same-server", "live", "flink-cdc", "5,000");
        assertThat(sameSetting.get(7)).isEqualTo("1.00×");
        assertThat(sameSetting.get(13)).isEqualTo("pass");
        // debezium's setting is its own: compared with each of flink's settings, named.
        assertThat(cells(ratios, "same-server", "live", "debezium", "5,000").get(8))
                .matches("\\d\\.\\d\\d× \\(checkpoint 1s\\); \\d\\.\\d\\d× \\(checkpoint 300ms\\)");
        List<String> timedOut = cells(ratios, "separate-server", "live", "flink-cdc", "20,000");
        assertThat(timedOut.subList(7, 13)).containsOnly(ReportFormat.MISSING);
        assertThat(timedOut.get(14)).isEqualTo("flink-cdc: timed out after 120 s (lag kept growing)");
    }

    @Test
    void shouldWriteOneWellFormedSelfContainedHtmlPageWithDecodableCharts() throws Exception {
        Path html = ReportFiles.write(BenchReportFixture.realistic(), dir).html();

        Document page = parseXml(Files.readString(html));
        NodeList images = page.getElementsByTagName("img");
        assertThat(images.getLength()).isEqualTo(FIXTURE_CHARTS);
        for (int i = 0; i < images.getLength(); i++) {
            Element img = (Element) images.item(i);
            String src = img.getAttribute("src");
            assertThat(src).startsWith("data:image/png;base64,");
            var image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(
                    src.substring("data:image/png;base64,".length()))));
            assertThat(image).as("chart %s", img.getAttribute("alt")).isNotNull();
            assertThat(image.getWidth()).isEqualTo(ReportCharts.WIDTH * ReportCharts.SCALE);
            assertThat(image.getHeight()).isEqualTo(ReportCharts.HEIGHT * ReportCharts.SCALE);
            assertThat(img.getAttribute("alt")).isNotBlank();
        }
        assertThat(java.awt.GraphicsEnvironment.isHeadless()).as("charts drawn without a display").isTrue();
        assertThat(externalReferences(page)).isEmpty();
        assertThat(page.getElementsByTagName("script").getLength()).isZero();
        assertThat(page.getElementsByTagName("link").getLength()).isZero();
        assertThat(page.getElementsByTagName("style").item(0).getTextContent()).doesNotContain("url(", "@import");
        String text = page.getDocumentElement().getTextContent();
        assertThat(text).contains("flink", "flink-cdc-source", "spark", "flink-cdc", "debezium", "FAIL", "timed out after 120 s",
                "(<io.bronzecdc.model.codec>) & sequencer");
    }

    @Test
    void shouldEscapeTextFromTheRun() throws Exception {
        BenchReport base = BenchReportFixture.realistic();
        Measurement hostile = new Measurement("debezium", "live", "same-server", "poll <500ms> & \"more\"", 1_000, 10,
                1, 10, 100, null, -1, null, "exited 1: </td></tr><script>alert('x')</script> | ` * _");
        List<Measurement> measurements = new ArrayList<>(base.measurements());
        measurements.add(hostile);
        BenchReport report = new BenchReport(base.mode(), base.startedAt(), base.wallSeconds(), base.environment(),
                base.workload(), base.ceilings(), measurements, base.integrity(),
                List.of("<img src=\"https://example.com/x.png\"/> and ]]> and \u0001"));

        ReportFiles.Written written = ReportFiles.write(report, dir);

        Document page = parseXml(Files.readString(written.html()));
        assertThat(page.getElementsByTagName("script").getLength()).isZero();
        assertThat(page.getElementsByTagName("img").getLength()).isEqualTo(FIXTURE_CHARTS);
        assertThat(externalReferences(page)).isEmpty();
        assertThat(page.getDocumentElement().getTextContent()).contains("</td></tr><script>alert('x')</script>",
                "<img src=\"https://example.com/x.png\"/>");
        String md = Files.readString(written.markdown());
        assertThat(md).doesNotContainPattern("(?<!\\\\)<(script|img|/td)").contains("\\<script\\>", "\\|");
    }

    @Test
    void shouldRenderAReportWithPiecesMissing() throws Exception {
        Measurement failed = new Measurement("spark", "snapshot", "same-server", null, 0, 0, Double.NaN, Double.NaN,
                0, null, -1, null, "exited with code 1");
        Measurement noSamples = new Measurement("flink", "live", "same-server", "checkpoint 300ms", 1_000, 0, 0, 0, 0,
                new BenchReport.Latency(0, Double.NaN, -1, -1, -1, List.of()), -1, null, "ok");
        List<BenchReport> reports = List.of(
                new BenchReport("smoke", null, 0, null, null, List.of(), List.of(), List.of(), List.of()),
                new BenchReport("smoke", "2026-12-02T00:00:00Z", 12, null, null, List.of(),
                        List.of(failed, noSamples), List.of(), List.of()));
        for (int i = 0; i < reports.size(); i++) {
            BenchReport report = reports.get(i);
            ReportFiles.Written written = ReportFiles.write(report, dir);
            Document page = parseXml(Files.readString(written.html()));
            // The first has nothing to chart; the second only throughput (its live run had no latency samples).
            assertThat(page.getElementsByTagName("img").getLength()).isEqualTo(i);
            assertThat(Files.readString(written.markdown())).contains("Ours: no integrity check was recorded.");
            assertSameReport(ReportJson.read(written.json()), report);
        }
        assertThat(Files.readString(dir.resolve("report.md"))).contains("**exited with code 1**",
                "bin/bronze-cdc bench --smoke --pipelines flink,spark\n");
    }

    @Test
    void shouldShowBothFlinkSourcesAgainstTheCheckpointInterval() throws IOException {
        ReportTable table = CheckpointLatency.table(BenchReportFixture.realistic());

        assertThat(table.columns()).extracting(Column::name).containsExactly("pipeline", "placement", "offered/s",
                "checkpoint 300ms: p50 / p99 ms", "checkpoint 1s: p50 / p99 ms");
        assertThat(table.rows()).extracting(row -> row.cells().get(0).text()).containsOnly("flink",
                "flink-cdc-source");
        for (String pipeline : List.of("flink", "flink-cdc-source")) {
            List<String> at5k = leadingCells(table, pipeline, "same-server", "5,000");
            assertThat(at5k.get(3)).as("%s at 300 ms", pipeline).matches("[\\d,]+ / [\\d,]+");
            assertThat(at5k.get(4)).as("%s at 1 s", pipeline).matches("[\\d,]+ / [\\d,]+");
            assertThat(leadingCells(table, pipeline, "same-server", "1,000").get(4)).isEqualTo(ReportFormat.MISSING);
        }
        assertThat(Files.readString(ReportFiles.write(BenchReportFixture.realistic(), dir).markdown()))
                .contains("## Latency against the checkpoint interval");
    }

    @Test
    void shouldNameThePipelinesInTheRepeatCommandOnlyWhenTheyAreNotTheModesOwn() {
        assertThat(RunTables.repeatCommand(ran("smoke", Pipeline.SMOKE))).doesNotContain("--pipelines");
        assertThat(RunTables.repeatCommand(ran("full", Pipeline.ALL))).doesNotContain("--pipelines");
        assertThat(RunTables.repeatCommand(ran("smoke", List.of(Pipeline.FLINK_CDC_SOURCE, Pipeline.FLINK))))
                .endsWith(" --pipelines flink,flink-cdc-source");
        assertThat(RunTables.repeatCommand(ran("full", Pipeline.SMOKE)))
                .endsWith(" --pipelines flink,spark,flink-cdc,debezium");
    }

    private static BenchReport ran(String mode, List<String> pipelines) {
        List<BenchReport.Integrity> checks = pipelines.stream()
                .map(p -> new BenchReport.Integrity(p, "same-server", true, 1, List.of(), "ok")).toList();
        return new BenchReport(mode, "2026-12-02T00:00:00Z", 1, null, null, List.of(), List.of(), checks, List.of());
    }

    @Test
    void shouldReRenderFromTheJson() throws IOException {
        Path json = ReportFiles.write(BenchReportFixture.realistic(), dir.resolve("run")).json();
        Path out = dir.resolve("again");

        int exit = ReportFiles.run(new String[] {json.toString(), out.toString()}, quiet(), quiet());

        assertThat(exit).isZero();
        assertThat(out.resolve("report.md")).hasSameTextualContentAs(dir.resolve("run/report.md"));
        assertThat(out.resolve("report.html")).hasSameTextualContentAs(dir.resolve("run/report.html"));
        assertSameReport(ReportJson.read(out.resolve("report.json")), BenchReportFixture.realistic());
        assertThat(ReportFiles.run(new String[] {json.toString()}, quiet(), quiet())).isZero();
    }

    @Test
    void shouldRefuseBadInputAndWriteNothing() throws IOException {
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"mode\": \"full\", \"measurements\": [");
        Path out = dir.resolve("out");
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        assertThat(ReportFiles.run(new String[] {broken.toString(), out.toString()}, quiet(), printer(err)))
                .isEqualTo(ReportFiles.EXIT_BAD_INPUT);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("is not a bronze-cdc bench report.json",
                broken.toString());
        assertThat(ReportFiles.run(new String[] {dir.resolve("missing.json").toString(), out.toString()}, quiet(),
                quiet())).isEqualTo(ReportFiles.EXIT_BAD_INPUT);
        assertThat(ReportFiles.run(new String[0], quiet(), quiet())).isEqualTo(ReportFiles.EXIT_BAD_INPUT);
        assertThat(out).doesNotExist();
    }

    /**
     * Equal field by field: records compare their {@code List<double[]>} CDFs by reference, so the arrays are compared
     * by content here; doubles exactly, NaN equal to NaN.
     */
    static void assertSameReport(BenchReport actual, BenchReport expected) {
        assertThat(actual).usingRecursiveComparison().withComparatorForType(Double::compare, Double.class)
                .isEqualTo(expected);
    }

    static Document parseXml(String html) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
        factory.setExpandEntityReferences(false);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    }

    /** Attributes that would make a browser load something from elsewhere. */
    static List<String> externalReferences(Document page) {
        List<String> found = new ArrayList<>();
        NodeList all = page.getElementsByTagName("*");
        Pattern external = Pattern.compile("^\\s*(https?:|//|ftp:)", Pattern.CASE_INSENSITIVE);
        for (int i = 0; i < all.getLength(); i++) {
            NamedNodeMap attributes = all.item(i).getAttributes();
            for (int a = 0; a < attributes.getLength(); a++) {
                String name = attributes.item(a).getNodeName();
                String value = attributes.item(a).getNodeValue();
                if (List.of("src", "href", "srcset", "data", "poster", "action").contains(name)
                        && (external.matcher(value).find() || !value.startsWith("data:") && name.equals("src"))) {
                    found.add(all.item(i).getNodeName() + " " + name + "=" + value);
                }
                if (value.toLowerCase().contains("http://") || value.toLowerCase().contains("https://")) {
                    found.add(all.item(i).getNodeName() + " " + name + "=" + value);
                }
            }
        }
        return found;
    }

    private static List<String> cells(ReportTable table, String... leading) {
        return table.rows().stream()
                .map(row -> row.cells().stream().map(ReportTable.Cell::text).toList())
                .filter(cells -> cells.get(0).equals(leading[0]) && cells.get(1).equals(leading[1])
                        && cells.get(3).equals(leading[2]) && (leading.length < 4 || cells.get(2).equals(leading[3])))
                .findFirst().orElseThrow(() -> new AssertionError("no row " + List.of(leading) + " in " + table));
    }

    /** The cells of the first row whose first cells are {@code leading}. */
    private static List<String> leadingCells(ReportTable table, String... leading) {
        return table.rows().stream()
                .map(row -> row.cells().stream().map(ReportTable.Cell::text).toList())
                .filter(cells -> cells.subList(0, leading.length).equals(List.of(leading)))
                .findFirst().orElseThrow(() -> new AssertionError("no row " + List.of(leading) + " in " + table));
    }

    private static int markdownCells(String line) {
        return line.replace("\\|", "").split("\\|", -1).length - 2;
    }

    private static PrintStream quiet() {
        return printer(new ByteArrayOutputStream());
    }

    private static PrintStream printer(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }
}
