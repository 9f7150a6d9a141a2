package io.bronzecdc.model.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The decoder's built-in type table names each OID exactly as the real server's {@code pg_type} does. */
class PgOutputBuiltInTypesIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    @Test
    void shouldNameEveryBuiltInOidAsPgTypeDoes() throws Exception {
        Map<Integer, String> ours = new LinkedHashMap<>();
        Map<Integer, String> server = new LinkedHashMap<>();
        try (Connection c = POSTGRES.connect();
                PreparedStatement ps = c.prepareStatement("SELECT typname FROM pg_type WHERE oid = ?")) {
            for (int oid : BuiltInTypes.oids()) {
                ours.put(oid, BuiltInTypes.typeName(oid));
                ps.setInt(1, oid);
                try (ResultSet rs = ps.executeQuery()) {
                    server.put(oid, rs.next() ? rs.getString(1) : "<no such oid>");
                }
            }
        }

        assertThat(ours).hasSize(39).isEqualTo(server);
    }

    @Test
    void shouldKnowNoOtherOid() {
        assertThat(BuiltInTypes.typeName(3614)).isNull(); // tsvector: left to the caller's resolver
        assertThat(BuiltInTypes.typeName(0)).isNull();
    }
}
