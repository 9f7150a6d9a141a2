package io.bronzecdc.model.config;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The PostgreSQL JDBC {@code sslmode}, with the driver's spelling in {@link #value()}. Only {@link #VERIFY_CA} and
 * {@link #VERIFY_FULL} refuse an unencrypted or unverified connection; the others can end up sending the
 * replication stream, and the password exchange, to a server nobody checked.
 *
 * @see <a href="https://jdbc.postgresql.org/documentation/ssl/">PgJDBC: configuring the client for SSL</a>
 */
public enum SslMode {
    /** No encryption. */
    DISABLE("disable"),
    /** Plaintext first, encryption only if the server demands it. */
    ALLOW("allow"),
    /** Encryption if the server offers it, otherwise silently plaintext. */
    PREFER("prefer"),
    /** Encrypted, but the server certificate is not checked. */
    REQUIRE("require"),
    /** Encrypted, and the server certificate must be signed by a trusted CA. */
    VERIFY_CA("verify-ca"),
    /** Encrypted, trusted certificate, and the certificate must name the host connected to. */
    VERIFY_FULL("verify-full");

    private final String value;

    SslMode(String value) {
        this.value = value;
    }

    /** The value as written in the config file and in the JDBC URL, for example {@code verify-full}. */
    public String value() {
        return value;
    }

    /** Whether the connection is encrypted and the server's certificate checked. */
    public boolean verifiesServer() {
        return this == VERIFY_CA || this == VERIFY_FULL;
    }

    /**
     * The mode spelled {@code value}, exactly (lower case, with a hyphen).
     *
     * @throws IllegalArgumentException quoting the value and listing the accepted ones
     */
    public static SslMode parse(String value) {
        Objects.requireNonNull(value, "sslmode value");
        for (SslMode mode : values()) {
            if (mode.value.equals(value)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("sslmode must be one of " + valueList() + " but was '" + value + "'");
    }

    /** The accepted values, comma-separated, in order of increasing protection. */
    public static String valueList() {
        return Arrays.stream(values()).map(SslMode::value).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return value;
    }
}
