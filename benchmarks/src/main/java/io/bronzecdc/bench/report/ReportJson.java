package io.bronzecdc.bench.report;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;

/** The report as JSON (Jackson, records as objects), and back. */
public final class ReportJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            // The derived figures (ratioToCeiling, oursIntact) are written for readers and recomputed on reading.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ReportJson() {
    }

    public static void write(BenchReport report, Path file) throws IOException {
        MAPPER.writeValue(file.toFile(), report);
    }

    public static BenchReport read(Path file) throws IOException {
        return MAPPER.readValue(file.toFile(), BenchReport.class);
    }
}
