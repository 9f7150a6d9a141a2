package io.bronzecdc.flink.source;

import io.bronzecdc.model.config.Secret;
import java.util.Optional;
import java.util.Properties;
import org.postgresql.PGProperty;
import org.postgresql.plugin.AuthenticationPlugin;
import org.postgresql.plugin.AuthenticationRequestType;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

/**
 * pgjdbc's password source for every connection of the job jar's driver (named in
 * {@code org/postgresql/driverconfig.properties} of the job jar, which pgjdbc reads as its defaults): the password
 * {@link SourcePassword} registered for the account, else the password the caller passed, as without a plugin.
 * This is how Flink CDC's and Debezium's connections (which only know {@link SourcePassword#PLACEHOLDER})
 * authenticate.
 */
public final class SourcePasswordPlugin implements AuthenticationPlugin {
    private final String account;
    private final Optional<String> given;

    /** pgjdbc calls this with the connection's properties (URL parts included). */
    public SourcePasswordPlugin(Properties info) {
        this.account = SourcePassword.account(String.valueOf(PGProperty.USER.getOrDefault(info)),
                String.valueOf(PGProperty.PG_HOST.getOrDefault(info)),
                String.valueOf(PGProperty.PG_PORT.getOrDefault(info)),
                String.valueOf(PGProperty.PG_DBNAME.getOrDefault(info)));
        this.given = Optional.ofNullable(PGProperty.PASSWORD.getOrDefault(info));
    }

    @Override
    public char[] getPassword(AuthenticationRequestType type) throws PSQLException {
        Optional<Secret> registered = SourcePassword.registered(account);
        if (registered.isPresent()) {
            return registered.get().reveal().toCharArray();
        }
        if (given.isEmpty()) {
            return null; // pgjdbc reports the missing password itself
        }
        if (given.get().equals(SourcePassword.PLACEHOLDER)) {
            throw new PSQLException("bronze-cdc: no password for " + account + " in this JVM. The source password"
                    + " travels in the job graph and is registered when the source is deserialized; this connection"
                    + " was opened elsewhere, or the job jar's pgjdbc is not the driver in use (keep pgjdbc out of"
                    + " Flink's lib/ and leave classloader.resolve-order at child-first)", PSQLState.INVALID_PASSWORD);
        }
        return given.get().toCharArray();
    }
}
