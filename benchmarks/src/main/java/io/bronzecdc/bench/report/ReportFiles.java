package io.bronzecdc.bench.report;

import com.fasterxml.jackson.core.JacksonException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the report files: {@code report.json} for machines, {@code report.md} and {@code report.html} for people.
 *
 * <p>As a program, re-renders the Markdown and the HTML page (the charts included) from a {@code report.json}, so
 * figures can be drawn again without measuring again:
 *
 * <pre>io.bronzecdc.bench.report.ReportFiles &lt;report.json&gt; [outdir]</pre>
 *
 * <p>{@code outdir} defaults to the JSON file's folder; a JSON file not already there is copied in. Exit codes: 0
 * written, 2 bad arguments or an unreadable report (nothing written), 1 the files could not be written.
 */
public final class ReportFiles {
    public static final String JSON = "report.json";
    public static final String MARKDOWN = "report.md";
    public static final String HTML = "report.html";
    static final int EXIT_OK = 0;
    static final int EXIT_WRITE_FAILED = 1;
    static final int EXIT_BAD_INPUT = 2;

    private ReportFiles() {
    }

    /** The files written. */
    public record Written(Path json, Path markdown, Path html) {
        public List<Path> all() {
            return List.of(json, markdown, html);
        }
    }

    /** Writes all three files into {@code dir} (created if missing), replacing files of the same names. */
    public static Written write(BenchReport report, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path json = dir.resolve(JSON);
        ReportJson.write(report, json);
        Written rendered = render(report, dir);
        return new Written(json, rendered.markdown(), rendered.html());
    }

    /** Writes the Markdown and the HTML page only; {@link Written#json()} is where the JSON would be. */
    static Written render(BenchReport report, Path dir) throws IOException {
        Files.createDirectories(dir);
        String markdown = ReportMarkdown.render(report);
        String html = ReportHtml.render(report);
        Path md = Files.writeString(dir.resolve(MARKDOWN), markdown, StandardCharsets.UTF_8);
        Path page = Files.writeString(dir.resolve(HTML), html, StandardCharsets.UTF_8);
        return new Written(dir.resolve(JSON), md, page);
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Re-renders from {@code args} ({@code <report.json> [outdir]}); returns the exit code (0, 1, or 2: bad input). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length < 1 || args.length > 2) {
            err.println("Usage: ReportFiles <report.json> [outdir]: re-renders report.md and report.html from a "
                    + "report.json written by bronze-cdc bench (outdir defaults to the JSON file's folder).");
            return EXIT_BAD_INPUT;
        }
        Path source = Path.of(args[0]).toAbsolutePath().normalize();
        if (!Files.isRegularFile(source)) {
            err.println("No report at " + source + ": give the report.json a bronze-cdc bench run wrote.");
            return EXIT_BAD_INPUT;
        }
        BenchReport report;
        try {
            report = ReportJson.read(source);
        } catch (JacksonException | RuntimeException e) {
            err.println("The report " + source + " is not a bronze-cdc bench report.json (" + e.getMessage()
                    .lines().findFirst().orElse("") + "): give the JSON a bench run wrote, unedited.");
            return EXIT_BAD_INPUT;
        } catch (IOException e) {
            err.println("Could not read the report " + source + ": " + e.getMessage());
            return EXIT_BAD_INPUT;
        }
        Path dir = args.length == 2 ? Path.of(args[1]).toAbsolutePath().normalize() : source.getParent();
        try {
            Written written = render(report, dir);
            if (!Files.exists(written.json()) || !Files.isSameFile(written.json(), source)) {
                ReportJson.write(report, written.json());
            }
            out.println("Wrote " + written.json() + ", " + written.markdown() + " and " + written.html());
            return EXIT_OK;
        } catch (IOException | RuntimeException e) {
            err.println("Could not write the report files into " + dir + ": " + e);
            return EXIT_WRITE_FAILED;
        }
    }
}
