package io.bronzecdc.testkit.pagila;

import io.bronzecdc.model.event.TableId;
import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The demo's source: database {@code pagila} on an embedded server, with the Pagila tables loaded from the COPY
 * files or generated with the same counts. Everything the demo knows of Pagila goes through here, so the demo
 * itself only names the database and the tables this class gives it.
 */
public final class PagilaDatabase {
    /** The source database's name. */
    public static final String NAME = "pagila";

    private PagilaDatabase() {
    }

    /**
     * The loaded source.
     *
     * @param description where the rows came from, for example {@code generated Pagila-shaped rows (seed 3)}
     * @param rows the rows loaded per table, in the order {@link #tables()} gives
     */
    public record Loaded(String description, Map<TableId, Long> rows) {
        public Loaded {
            rows = Collections.unmodifiableMap(new LinkedHashMap<>(rows));
        }
    }

    /** The tables to capture. */
    public static List<TableId> tables() {
        return Arrays.stream(PagilaTable.values()).map(PagilaTable::id).toList();
    }

    /**
     * Creates database {@link #NAME} on {@code server}, its tables, and loads them: from the COPY files of
     * {@code files} when given, otherwise rows generated from {@code seed} with Pagila's counts.
     */
    public static Loaded create(EmbeddedPostgresServer server, Optional<Path> files, long seed) throws SQLException {
        server.createDatabase(NAME);
        try (Connection c = server.connect(NAME)) {
            SourceSchema.create(c);
            Map<PagilaTable, Long> loaded = files.isPresent()
                    ? PagilaLoader.loadFiles(c, files.get())
                    : PagilaLoader.loadGenerated(c, PagilaGenerator.withPagilaCounts(seed));
            Map<TableId, Long> rows = new LinkedHashMap<>();
            loaded.forEach((table, count) -> rows.put(table.id(), count));
            return new Loaded(files.map(f -> "Pagila files of " + f)
                    .orElse("generated Pagila-shaped rows (seed " + seed + ")"), rows);
        }
    }

    /** The COPY files beside a checkout ({@code ../shared/pagila} next to {@code home}), when they are there. */
    public static Optional<Path> filesBeside(Path home) {
        Path beside = home.resolve("../shared/pagila").normalize();
        return Files.isReadable(beside.resolve(PagilaTable.PAYMENT.fileName())) ? Optional.of(beside)
                : Optional.empty();
    }

    /**
     * What is wrong with {@code dir} as the directory of the COPY files, as one sentence that names the option
     * it came from and the fix; empty when every file is there and readable.
     */
    public static Optional<String> filesProblem(String option, Path dir) {
        String fix = "; pass the directory holding " + String.join(", ", Arrays.stream(PagilaTable.values())
                .map(PagilaTable::fileName).toList()) + " (the Pagila COPY files), or --generate for generated rows";
        if (!Files.exists(dir)) {
            return Optional.of(option + " " + dir.toAbsolutePath() + " does not exist" + fix);
        }
        if (!Files.isDirectory(dir)) {
            return Optional.of(option + " " + dir.toAbsolutePath() + " is a file, not a directory" + fix);
        }
        List<String> missing = Arrays.stream(PagilaTable.values()).map(PagilaTable::fileName)
                .filter(file -> !Files.isReadable(dir.resolve(file))).toList();
        if (!missing.isEmpty()) {
            return Optional.of(option + " " + dir.toAbsolutePath() + " lacks " + String.join(", ", missing)
                    + " (or cannot read it)" + fix);
        }
        return Optional.empty();
    }
}
