package io.bronzecdc.model.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Runs a SQL script from the test classpath (one scenario per file, as STYLE.md section 5 asks). */
public final class SqlScripts {
    private SqlScripts() {
    }

    /** Runs the classpath resource {@code resource} (absolute, starting with '/') in one statement batch. */
    public static void run(Connection connection, String resource) throws SQLException {
        try (InputStream in = SqlScripts.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("test resource " + resource + " is not on the classpath");
            }
            try (Statement s = connection.createStatement()) {
                s.execute(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read test resource " + resource, e);
        }
    }
}
