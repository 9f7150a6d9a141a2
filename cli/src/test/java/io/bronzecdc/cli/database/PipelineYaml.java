package io.bronzecdc.cli.database;

import io.bronzecdc.model.testing.TestPipelineYaml;
import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A pipeline config file on the embedded test server, written into a test's folder, with the password in a file
 * beside it (the server trusts local connections, so any password works).
 */
final class PipelineYaml {
    private final int port;
    private final String database;
    private String user = EmbeddedPostgresServer.SUPERUSER;
    private String slot;
    private String schema;
    private String tables = "[customer, payment, rental]";
    private String lagThreshold = "10m";
    private final List<String> extra = new ArrayList<>();

    PipelineYaml(int port, String database, String slot) {
        this.port = port;
        this.database = database;
        this.slot = slot;
        this.schema = slot + "_bronze";
    }

    PipelineYaml user(String value) {
        user = value;
        return this;
    }

    PipelineYaml schema(String value) {
        schema = value;
        return this;
    }

    /** The YAML value of {@code tables}, for example {@code [items, notes]}. */
    PipelineYaml tables(String value) {
        tables = value;
        return this;
    }

    PipelineYaml lagThreshold(String value) {
        lagThreshold = value;
        return this;
    }

    /** A further top-level line, for example a misspelt key. */
    PipelineYaml line(String value) {
        extra.add(value);
        return this;
    }

    String text(Path passwordFile) {
        List<String> lines = new ArrayList<>(List.of(TestPipelineYaml.of(port, database, user, slot, schema,
                "file: " + passwordFile).replace("tables: [customer, payment, rental]", "tables: " + tables).strip(),
                "lag:",
                "  threshold: " + lagThreshold));
        lines.addAll(extra);
        return String.join("\n", lines) + "\n";
    }

    /** Writes the config as {@code dir/<name>} and the password as {@code dir/password}. */
    Path write(Path dir, String name) throws IOException {
        Path password = dir.resolve("password");
        if (!Files.exists(password)) {
            Files.writeString(password, "not-a-real-secret-4711\n");
        }
        return Files.writeString(dir.resolve(name), text(password));
    }
}
