package io.bronzecdc.spark.job;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntFunction;

/** Looks up {@code pg_type.typname} of type OIDs the stream uses but does not announce; cached per run. */
final class TypeNames implements IntFunction<String> {
    private final Connection connection;
    private final Map<Integer, String> cache = new HashMap<>();

    TypeNames(Connection connection) {
        this.connection = connection;
    }

    @Override
    public String apply(int oid) {
        return cache.computeIfAbsent(oid, this::lookUp);
    }

    private String lookUp(int oid) {
        try (PreparedStatement ps = connection.prepareStatement("SELECT typname FROM pg_type WHERE oid = ?")) {
            ps.setInt(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not look up the name of type OID " + oid + " in pg_type", e);
        }
    }
}
