package io.bronzecdc.model.pgoutput;

import io.bronzecdc.model.testing.SqlScripts;
import io.bronzecdc.testkit.pagila.SourceSchema;
import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * Records the pgoutput fixtures of {@link PgOutputDecoderTest} from a real embedded PostgreSQL 17: not a test,
 * run by hand when a scenario changes, with the target folder as argument (the test resources folder
 * {@code shared-model/src/test/resources/io/bronzecdc/model/pgoutput}). It lives in the testkit module because it
 * loads the Pagila tables.
 *
 * <p>Per scenario it writes {@code <scenario>.pgoutput}: one line per message of
 * {@code pg_logical_slot_get_binary_changes} as {@code <lsn> <xid> <hex data>}; and, where the changes are
 * valid, {@code <scenario>.expected}: one line per change as
 * {@code op|table|commitLsn|changeLsn|indexInTransaction|xid|commitTime|json}. The json is what the server
 * itself gave for the row ({@code to_jsonb} under UTC, through RETURNING or a SELECT in the same transaction);
 * commitLsn and commitTime are read from the raw Begin bytes, xid and changeLsn from the slot function's
 * columns, so the expectations do not come from the decoder under test.
 */
public final class PgOutputFixtureCapture {
    private static final String SLOT = "pgo_capture";
    private static final String BIG_TEXT = "(SELECT string_agg(md5(i::text), '') FROM generate_series(1, 320) i)";

    private final Connection connection;
    private final Path target;
    private final List<String[]> expected = new ArrayList<>();

    private PgOutputFixtureCapture(Connection connection, Path target) {
        this.connection = connection;
        this.target = target;
    }

    public static void main(String[] args) throws Exception {
        Path target = Path.of(args[0]);
        try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start()) {
            server.createDatabase("pgo_capture");
            try (Connection c = server.connect("pgo_capture")) {
                new PgOutputFixtureCapture(c, target).run();
            }
        }
    }

    private void run() throws Exception {
        SourceSchema.create(connection);
        SqlScripts.run(connection, "/io/bronzecdc/model/codec/golden-types.sql");
        SqlScripts.run(connection, "/io/bronzecdc/model/pgoutput/capture-schema.sql");
        exec("CREATE TABLE golden_source AS SELECT * FROM codec_golden; TRUNCATE codec_golden;"
                + " INSERT INTO pgo_default VALUES (1, " + BIG_TEXT + ", 1);"
                + " CREATE PUBLICATION pgo_pub FOR TABLE customer, payment, rental, codec_golden, pgo_extra,"
                + " pgo_toast, pgo_default, pgo_noise, pgo_truncated WITH (publish_via_partition_root = true)");
        exec("SELECT pg_create_logical_replication_slot('" + SLOT + "', 'pgoutput')");
        exec("SET TimeZone = 'UTC'");
        connection.setAutoCommit(false);

        returning("I", "public.codec_golden", "INSERT INTO codec_golden AS r SELECT * FROM golden_source ORDER BY id"
                + " RETURNING to_jsonb(r)");
        returning("I", "public.pgo_extra", "INSERT INTO pgo_extra AS r VALUES (1, 'PG-13',"
                + " '{Trailers,\"Deleted Scenes\"}', to_tsvector('english', 'A Fateful Reflection of a Moose'), 6,"
                + " 20.99, '2022-02-15 10:05:03') RETURNING to_jsonb(r)");
        commit();
        save("all-types");

        mixed();
        save("mixed");

        returning("I", "public.pgo_toast", "INSERT INTO pgo_toast AS r VALUES (1, " + BIG_TEXT + ", 1)"
                + " RETURNING to_jsonb(r)");
        commit();
        returning("U", "public.pgo_toast", "UPDATE pgo_toast AS r SET n = 2 WHERE id = 1 RETURNING to_jsonb(r)");
        commit();
        returning("D", "public.pgo_toast", "DELETE FROM pgo_toast AS r WHERE id = 1 RETURNING to_jsonb(r)");
        commit();
        save("toast");

        exec("UPDATE pgo_default SET n = 2 WHERE id = 1");
        commit();
        save("identity-default-update");
        exec("DELETE FROM pgo_default WHERE id = 1");
        commit();
        save("identity-default-delete");
        exec("INSERT INTO pgo_truncated VALUES (1); TRUNCATE pgo_truncated");
        commit();
        save("truncate");
    }

    private void mixed() throws Exception {
        returning("I", "public.customer", "INSERT INTO customer AS r VALUES (1001, 1, 'ZOË', 'O''Brien',"
                + " 'zoe@example.org', 5, true, '2022-02-14', '2022-02-15 09:57:20.123456+00', 1) RETURNING to_jsonb(r)");
        returning("I", "public.pgo_noise", "INSERT INTO pgo_noise AS r VALUES (1, 'skip me') RETURNING to_jsonb(r)");
        returning("I", "public.rental", "INSERT INTO rental AS r VALUES (5001, '2022-02-14 15:16:03+00', 367, 1001,"
                + " NULL, 1, '2022-02-16 02:30:53+00') RETURNING to_jsonb(r)");
        returning("I", "public.payment", "INSERT INTO payment AS r VALUES (9001, 1001, 1, 5001, 2.99,"
                + " '2022-02-14 15:16:03.5+00') RETURNING to_jsonb(r)");
        returning("U", "public.customer", "UPDATE customer AS r SET email = NULL, active = 0 WHERE customer_id = 1001"
                + " RETURNING to_jsonb(r)");
        returning("U", "public.payment", "UPDATE payment AS r SET amount = 7.90 WHERE payment_id = 9001"
                + " RETURNING to_jsonb(r)");
        returning("D", "public.rental", "DELETE FROM rental AS r WHERE rental_id = 5001 RETURNING to_jsonb(r)");
        returning("U", "public.pgo_noise", "UPDATE pgo_noise AS r SET note = 'still skipped' RETURNING to_jsonb(r)");
        commit();

        String copy = "1002\t1\tMARY\tSMITH\tmary.smith@example.org\t5\tt\t2022-02-14\t2022-02-15 09:57:20+00\t1\n"
                + "1003\t2\tPATRICIA\tJOHNSON\t\\N\t6\tf\t2022-02-14\t\\N\t0\n"
                + "1004\t1\tLINDA\tWILLIAMS\tlinda.williams@example.org\t7\tt\t2022-02-14\t2022-02-15 09:57:20+05:30\t1\n";
        connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY customer FROM STDIN", new StringReader(copy));
        returning("I", "public.customer", "SELECT to_jsonb(r) FROM customer r WHERE customer_id BETWEEN 1002 AND 1004"
                + " ORDER BY customer_id");
        commit();

        returning("D", "public.customer", "DELETE FROM customer AS r WHERE customer_id = 1003 RETURNING to_jsonb(r)");
        // A cross-partition update is a delete from one partition and an insert into the other: published via
        // the root, it arrives as D and I on payment.
        returning("D", "public.payment", "SELECT to_jsonb(r) FROM payment r WHERE payment_id = 9001");
        returning("I", "public.payment", "UPDATE payment AS r SET payment_date = '2022-03-01 00:00:00+00'"
                + " WHERE payment_id = 9001 RETURNING to_jsonb(r)");
        commit();
    }

    private void returning(String op, String table, String sql) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                expected.add(new String[] {op, table, rs.getString(1)});
            }
        }
    }

    private void exec(String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }

    private void commit() throws SQLException {
        connection.commit();
    }

    private void save(String scenario) throws SQLException, IOException {
        List<String> messages = new ArrayList<>();
        List<String> events = new ArrayList<>();
        String commitLsn = null;
        String commitTime = null;
        long index = 0;
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT lsn::text, xid::text,"
                + " data FROM pg_logical_slot_get_binary_changes('" + SLOT + "', NULL, NULL, 'proto_version', '1',"
                + " 'publication_names', 'pgo_pub')")) {
            while (rs.next()) {
                byte[] data = rs.getBytes(3);
                messages.add(rs.getString(1) + " " + rs.getString(2) + " " + HexFormat.of().formatHex(data));
                ByteBuffer raw = ByteBuffer.wrap(data);
                char kind = (char) raw.get(0);
                if (kind == 'B') {
                    long lsn = raw.getLong(1);
                    commitLsn = Long.toHexString(lsn >>> 32).toUpperCase() + "/"
                            + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
                    commitTime = PgOutputParser.timestamp(raw.getLong(9)).toString();
                    index = 0;
                } else if (!expected.isEmpty() && (kind == 'I' || kind == 'U' || kind == 'D')) {
                    if (events.size() >= expected.size()) {
                        throw new IllegalStateException(scenario + ": more changes than the workload recorded");
                    }
                    String[] e = expected.get(events.size());
                    if (!e[0].equals(String.valueOf(kind))) {
                        throw new IllegalStateException(scenario + ": change " + events.size() + " is " + kind
                                + " but the workload recorded " + e[0] + " on " + e[1]);
                    }
                    events.add(String.join("|", e[0], e[1], commitLsn, rs.getString(1), Long.toString(index++),
                            rs.getString(2), commitTime, e[2]));
                }
            }
        }
        connection.commit();
        if (!expected.isEmpty() && events.size() != expected.size()) {
            throw new IllegalStateException(scenario + ": " + events.size() + " changes but the workload recorded "
                    + expected.size());
        }
        Files.write(target.resolve(scenario + ".pgoutput"), messages, StandardCharsets.UTF_8);
        if (!expected.isEmpty()) {
            Files.write(target.resolve(scenario + ".expected"), events, StandardCharsets.UTF_8);
        }
        expected.clear();
    }
}
