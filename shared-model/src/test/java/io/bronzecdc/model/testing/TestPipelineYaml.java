package io.bronzecdc.model.testing;

import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer;

/**
 * The pipeline YAML the ITs hand to the engines' command lines: a database on the embedded test server (trust
 * authentication, so any password works), all three tables, the pipeline's own slot, publication
 * ({@code <slot>_pub}) and bronze schema, checkpoints every 500 ms.
 */
public final class TestPipelineYaml {
    private TestPipelineYaml() {
    }

    /**
     * @param password the password source below {@code source.password}, for example {@code env: MY_VAR} or
     *     {@code file: /path/to/password}
     */
    public static String of(int port, String database, String slot, String bronzeSchema, String password) {
        return of(port, database, EmbeddedPostgresServer.SUPERUSER, slot, bronzeSchema, password);
    }

    /** The same for the role {@code user} (for a role that logs in with a real password). */
    public static String of(int port, String database, String user, String slot, String bronzeSchema,
            String password) {
        return String.join("\n",
                "source:",
                "  host: 127.0.0.1",
                "  port: " + port,
                "  database: " + database,
                "  user: " + user,
                "  password:",
                "    " + password,
                "  sslmode: disable",
                "  slot:",
                "    name: " + slot,
                "  publication:",
                "    name: " + slot + "_pub",
                "bronze:",
                "  schema: " + bronzeSchema,
                "tables: [customer, payment, rental]",
                "checkpoint:",
                "  interval: 500ms",
                "");
    }
}
