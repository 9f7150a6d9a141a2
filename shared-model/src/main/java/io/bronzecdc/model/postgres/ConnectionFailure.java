package io.bronzecdc.model.postgres;

import io.bronzecdc.model.config.PipelineConfig.Database;
import io.bronzecdc.model.config.SslMode;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.Objects;
import javax.net.ssl.SSLException;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Why a connection to the pipeline's database failed, said in the terms of the pipeline config: the key to fix,
 * what was found and how to fix it. Both engines show {@link #message()} alone (no stack trace) and exit with
 * code 2. pgjdbc's SQLState and cause are translated here once, so the engines never parse driver messages.
 *
 * <p>The message never holds the password: it is built from the config's host, port, database, user and sslmode
 * and from the server's or the driver's own text, and neither of those repeats a password.
 *
 * @param reason the kind of failure
 * @param message one paragraph: what is wrong, where, and how to fix it
 */
public record ConnectionFailure(Reason reason, String message) {
    /** SQLState {@code invalid_password}: password, md5 or SCRAM authentication failed. */
    private static final String INVALID_PASSWORD = "28P01";
    /** SQLState {@code invalid_authorization_specification}: pg_hba rejected the client, or the role is unknown. */
    private static final String INVALID_AUTHORIZATION = "28000";
    /** SQLState {@code invalid_catalog_name}: the database does not exist. */
    private static final String INVALID_CATALOG = "3D000";
    /** SQLState {@code cannot_connect_now}: the server is starting up, shutting down or in recovery. */
    private static final String CANNOT_CONNECT_NOW = "57P03";
    /** SQLState {@code too_many_connections}. */
    private static final String TOO_MANY_CONNECTIONS = "53300";
    /** pgjdbc's {@code PSQLState.CONNECTION_REJECTED}, used among others for "The server does not support SSL." */
    private static final String CONNECTION_REJECTED = "08004";

    public ConnectionFailure {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
    }

    /** The kinds of connection failure a new user meets first, and whether waiting can cure them. */
    public enum Reason {
        /** The server rejected the password (source.password). */
        WRONG_PASSWORD(false),
        /** pg_hba.conf has no entry that lets this user connect from here (source.user, source.sslmode). */
        CLIENT_REJECTED(false),
        /** The role does not exist (source.user). */
        UNKNOWN_ROLE(false),
        /** The database does not exist (source.database). */
        UNKNOWN_DATABASE(false),
        /** Nothing listens at host:port (source.host, source.port); a restarting server looks the same. */
        CONNECTION_REFUSED(true),
        /** The host name does not resolve (source.host). */
        UNKNOWN_HOST(false),
        /** host:port did not answer in time (source.host, source.port). */
        TIMED_OUT(true),
        /** sslmode demands SSL but the server has none (source.sslmode). */
        SSL_NOT_SUPPORTED(false),
        /** The SSL handshake or the certificate check failed (source.sslmode). */
        SSL_FAILED(false),
        /** The server is starting, stopping or full; it may accept later. */
        SERVER_NOT_READY(true),
        /** Anything else that kept the connection from opening. */
        OTHER(true);

        private final boolean retryable;

        Reason(boolean retryable) {
            this.retryable = retryable;
        }

        /** Whether trying again later can succeed without anyone changing the config or the server. */
        public boolean retryable() {
            return retryable;
        }
    }

    /**
     * Explains {@code error}, thrown while opening a connection to {@code db} (the source or the bronze target), in
     * terms of that database's config keys ({@code source.*} or {@code target.*}).
     */
    public static ConnectionFailure explain(SQLException error, Database db) {
        String state = error.getSQLState() == null ? "" : error.getSQLState();
        String where = "database " + db.database() + " at " + address(db) + " as " + db.user();
        String cannot = "Cannot connect to " + where + ": ";
        String serverText = serverText(error);
        if (INVALID_PASSWORD.equals(state)) {
            return new ConnectionFailure(Reason.WRONG_PASSWORD, cannot + "the server rejected the password of role "
                    + db.user() + " (SQLState 28P01, " + serverText + "). Check " + key(db, "password")
                    + ": the environment"
                    + " variable or file it names must hold this role's current password (it is not shown here);"
                    + " check " + key(db, "user") + " too");
        }
        if (INVALID_CATALOG.equals(state)) {
            return new ConnectionFailure(Reason.UNKNOWN_DATABASE, cannot + "database '" + db.database()
                    + "' does not exist on " + address(db) + " (SQLState 3D000). Fix " + key(db, "database")
                    + " (names are"
                    + " case-sensitive; SELECT datname FROM pg_database lists them), or create the database");
        }
        if (INVALID_AUTHORIZATION.equals(state)) {
            return authorization(error, db, cannot, serverText);
        }
        if (CANNOT_CONNECT_NOW.equals(state) || TOO_MANY_CONNECTIONS.equals(state)) {
            return new ConnectionFailure(Reason.SERVER_NOT_READY, cannot + "the server does not accept connections"
                    + " now (SQLState " + state + ", " + serverText + "). Wait until it has started or has free"
                    + " connections (max_connections), then run again");
        }
        if (has(error, UnknownHostException.class)) {
            return new ConnectionFailure(Reason.UNKNOWN_HOST, cannot + "host '" + db.host() + "' is unknown"
                    + " (its name does not resolve). Fix " + key(db, "host") + ", or check this machine's DNS");
        }
        if (has(error, ConnectException.class)) {
            return new ConnectionFailure(Reason.CONNECTION_REFUSED, cannot + "nothing accepts connections at "
                    + address(db) + " (connection refused). Check " + key(db, "host") + " and " + key(db, "port")
                    + ", that the server"
                    + " runs and listens there (listen_addresses and port in postgresql.conf), and that no firewall"
                    + " rejects the connection");
        }
        if (has(error, SocketTimeoutException.class) || has(error, NoRouteToHostException.class)) {
            return new ConnectionFailure(Reason.TIMED_OUT, cannot + address(db) + " did not answer ("
                    + rootMessage(error) + "). Check " + key(db, "host") + " and " + key(db, "port")
                    + ", and that the network and firewalls"
                    + " let this machine reach the server");
        }
        if (CONNECTION_REJECTED.equals(state) && requiresSsl(db.sslMode()) && error instanceof PSQLException psql
                && psql.getServerErrorMessage() == null && error.getMessage() != null
                && error.getMessage().contains("SSL")) {
            return new ConnectionFailure(Reason.SSL_NOT_SUPPORTED, cannot + key(db, "sslmode") + " is '"
                    + db.sslMode().value() + "' but the server at " + address(db) + " does not support SSL"
                    + " (it refused the SSL request). Enable SSL on the server (ssl = on, with a certificate and"
                    + " key), or, only on a network you trust, set " + key(db, "sslmode") + ": prefer or disable");
        }
        if (has(error, SSLException.class) || (requiresSsl(db.sslMode()) && mentionsSsl(error))) {
            return new ConnectionFailure(Reason.SSL_FAILED, cannot + "the SSL connection failed under "
                    + key(db, "sslmode") + " '"
                    + db.sslMode().value() + "' (" + rootMessage(error) + "). With verify-ca and verify-full the"
                    + " server certificate must be signed by the CA in ~/.postgresql/root.crt, and with verify-full it"
                    + " must also name " + key(db, "host") + "; fix the certificate or " + key(db, "host")
                    + ", or choose another"
                    + " " + key(db, "sslmode"));
        }
        return new ConnectionFailure(Reason.OTHER, cannot + rootMessage(error) + " (SQLState "
                + (state.isEmpty() ? "none" : state) + "). Check " + key(db, "host") + ", " + key(db, "port") + ", "
                + key(db, "database") + ","
                + " " + key(db, "user") + " and " + key(db, "sslmode") + ", and the server log");
    }

    private static ConnectionFailure authorization(SQLException error, Database db, String cannot,
            String serverText) {
        ServerErrorMessage server = error instanceof PSQLException psql ? psql.getServerErrorMessage() : null;
        String routine = server == null || server.getRoutine() == null ? "" : server.getRoutine();
        if (routine.equals("InitializeSessionUserId") || serverText.contains("role \"" + db.user() + "\"")) {
            return new ConnectionFailure(Reason.UNKNOWN_ROLE, cannot + "role '" + db.user() + "' does not exist"
                    + " (SQLState 28000). Fix " + key(db, "user") + ", or create the role: CREATE ROLE " + db.user()
                    + " LOGIN" + (db.keyPrefix().equals("source") ? " REPLICATION" : "")
                    + " PASSWORD '...'");
        }
        String sslHint = serverText.contains("no encryption") && !requiresSsl(db.sslMode())
                ? " The server accepts this client only over SSL: set " + key(db, "sslmode")
                        + " to verify-full (or require)."
                : "";
        return new ConnectionFailure(Reason.CLIENT_REJECTED, cannot + "the server refuses this client (SQLState"
                + " 28000, " + serverText + ")." + sslHint + " Add a pg_hba.conf entry for this host, database "
                + db.database() + " and user " + db.user() + " (the slot's logical replication connections"
                + " match the same entry), then reload the server; or use another " + key(db, "user"));
    }

    /** The config key {@code name} of {@code db}, such as {@code target.host}. */
    private static String key(Database db, String name) {
        return db.keyPrefix() + "." + name;
    }

    private static boolean requiresSsl(SslMode mode) {
        return mode == SslMode.REQUIRE || mode.verifiesServer();
    }

    private static boolean mentionsSsl(SQLException error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t.getMessage() != null && (t.getMessage().contains("SSL") || t.getMessage().contains("certificate"))) {
                return true;
            }
        }
        return false;
    }

    private static String address(Database db) {
        return (db.host().indexOf(':') >= 0 ? "[" + db.host() + "]" : db.host()) + ":" + db.port();
    }

    /** The server's own text when it sent one (it names no password), else the driver's. */
    private static String serverText(SQLException error) {
        if (error instanceof PSQLException psql && psql.getServerErrorMessage() != null
                && psql.getServerErrorMessage().getMessage() != null) {
            return psql.getServerErrorMessage().getMessage();
        }
        return rootMessage(error);
    }

    /** The innermost message: pgjdbc wraps the socket's reason in "The connection attempt failed." */
    private static String rootMessage(Throwable error) {
        String message = error.getMessage();
        for (Throwable t = error.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getClass().getSimpleName() + ": " + t.getMessage();
            }
        }
        return message == null ? error.getClass().getSimpleName() : message;
    }

    private static boolean has(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
