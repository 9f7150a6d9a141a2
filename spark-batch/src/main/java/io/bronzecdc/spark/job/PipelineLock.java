package io.bronzecdc.spark.job;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * At most one run per pipeline, enforced by PostgreSQL: a session advisory lock keyed by the slot name, held by
 * a connection that lives as long as the run. The lock goes away with the connection, so a killed run never
 * leaves it behind.
 */
final class PipelineLock {
    private PipelineLock() {
    }

    /** Takes the lock on {@code connection} without waiting; false when another session holds it. */
    static boolean tryAcquire(Connection connection, String slotName) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
            ps.setString(1, key(slotName));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** The backend holding the lock, or null; for the message of the run that did not get it. */
    static Integer holder(Connection connection, String slotName) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT l.pid FROM pg_locks l WHERE"
                + " l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
                + " AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtext(?)::bigint LIMIT 1")) {
            ps.setString(1, key(slotName));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : null;
            }
        }
    }

    private static String key(String slotName) {
        return "bronze-cdc spark micro-batch " + slotName;
    }
}
