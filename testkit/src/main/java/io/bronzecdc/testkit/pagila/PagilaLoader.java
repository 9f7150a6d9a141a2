package io.bronzecdc.testkit.pagila;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the Pagila rows into the source tables with COPY: either the files of a Pagila directory
 * ({@code customer.copy}, {@code payment.copy}, {@code rental.copy}; COPY text format) or rows made by
 * {@link PagilaGenerator}. All three tables load in one transaction, so a failure leaves nothing behind, and
 * the id sequences continue after the loaded ids.
 */
public final class PagilaLoader {
    private static final Logger LOG = LoggerFactory.getLogger(PagilaLoader.class);
    private static final int COPY_CHUNK_BYTES = 1 << 16;

    private PagilaLoader() {
    }

    /**
     * Loads the three COPY files of {@code pagilaDir} into empty source tables.
     *
     * @return rows loaded per table
     * @throws IllegalArgumentException naming the missing file when the directory lacks one
     */
    public static Map<PagilaTable, Long> loadFiles(Connection connection, Path pagilaDir) throws SQLException {
        List<Path> missing = new ArrayList<>();
        for (PagilaTable table : PagilaTable.values()) {
            if (!Files.isReadable(pagilaDir.resolve(table.fileName()))) {
                missing.add(pagilaDir.resolve(table.fileName()));
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("Pagila directory " + pagilaDir.toAbsolutePath() + " lacks " + missing
                    + ": point at a directory holding customer.copy, payment.copy and rental.copy"
                    + " (see shared/pagila/README.md), or generate Pagila-shaped rows instead");
        }
        return load(connection, "files of " + pagilaDir.toAbsolutePath(), (table, copyIn) -> {
            try (InputStream in = Files.newInputStream(pagilaDir.resolve(table.fileName()))) {
                byte[] buffer = new byte[COPY_CHUNK_BYTES];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    copyIn.writeToCopy(buffer, 0, n);
                }
            }
        });
    }

    /**
     * Loads rows made by {@code generator} into empty source tables.
     *
     * @return rows loaded per table
     */
    public static Map<PagilaTable, Long> loadGenerated(Connection connection, PagilaGenerator generator)
            throws SQLException {
        return load(connection, "generated rows (" + generator + ")", (table, copyIn) -> {
            StringBuilder chunk = new StringBuilder(COPY_CHUNK_BYTES + 512);
            generator.rows(table, line -> {
                chunk.append(line).append('\n');
                if (chunk.length() >= COPY_CHUNK_BYTES) {
                    writeChunk(copyIn, chunk);
                }
            });
            writeChunk(copyIn, chunk);
        });
    }

    private static void writeChunk(CopyIn copyIn, StringBuilder chunk) {
        try {
            byte[] bytes = chunk.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            copyIn.writeToCopy(bytes, 0, bytes.length);
            chunk.setLength(0);
        } catch (SQLException e) {
            throw new IllegalStateException("COPY failed while writing generated rows", e);
        }
    }

    @FunctionalInterface
    private interface CopySource {
        void write(PagilaTable table, CopyIn copyIn) throws IOException, SQLException;
    }

    private static Map<PagilaTable, Long> load(Connection connection, String what, CopySource source)
            throws SQLException {
        requireEmpty(connection);
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            CopyManager copyManager = connection.unwrap(PGConnection.class).getCopyAPI();
            Map<PagilaTable, Long> loaded = new EnumMap<>(PagilaTable.class);
            for (PagilaTable table : PagilaTable.values()) {
                long started = System.nanoTime();
                CopyIn copyIn = copyManager.copyIn(table.copyInStatement());
                try {
                    source.write(table, copyIn);
                    loaded.put(table, copyIn.endCopy());
                } catch (IOException e) {
                    copyIn.cancelCopy();
                    throw new UncheckedIOException("could not read the " + table.id() + " rows of " + what, e);
                } finally {
                    if (copyIn.isActive()) {
                        copyIn.cancelCopy();
                    }
                }
                LOG.info("Loaded {} rows into {} from {} in {} ms", loaded.get(table), table.id(), what,
                        (System.nanoTime() - started) / 1_000_000);
            }
            advanceSequences(connection);
            connection.commit();
            return loaded;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    private static void requireEmpty(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            for (PagilaTable table : PagilaTable.values()) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table.id().qualifiedName())) {
                    rs.next();
                    long rows = rs.getLong(1);
                    if (rows > 0) {
                        throw new IllegalStateException("source table " + table.id() + " already holds " + rows
                                + " rows: Pagila rows load only into empty tables, so nothing was loaded."
                                + " Use a fresh database, or truncate customer, payment and rental first");
                    }
                }
            }
        }
    }

    private static void advanceSequences(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            for (PagilaTable table : PagilaTable.values()) {
                String idColumn = table.id().name() + "_id";
                s.execute("SELECT setval('" + table.id().qualifiedName() + "_" + idColumn + "_seq', "
                        + "coalesce((SELECT max(" + idColumn + ") FROM " + table.id().qualifiedName() + "), 0) + 1, false)");
            }
        }
    }
}
