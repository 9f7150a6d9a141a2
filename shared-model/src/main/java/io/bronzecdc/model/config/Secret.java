package io.bronzecdc.model.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A secret value, such as the source database password. {@link #toString()} is always {@value #MASK}, so a secret
 * that ends up in a record's generated {@code toString}, a log line or an exception message shows no content.
 * Only {@link #reveal()} returns the value; call it where the value is handed to the driver, nowhere else.
 *
 * <p>Not a record on purpose: a record would add a public accessor that returns the value under an innocent
 * name.
 */
public final class Secret {
    /** What {@link #toString()} prints instead of the value. */
    public static final String MASK = "******";

    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    /**
     * Wraps a secret value.
     *
     * @param value the secret, not null and not empty
     * @throws IllegalArgumentException when the value is empty (the message does not quote it)
     */
    public static Secret of(String value) {
        Objects.requireNonNull(value, "secret value");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a secret must not be empty");
        }
        return new Secret(value);
    }

    /** The secret value itself. Never log it. */
    public String reveal() {
        return value;
    }

    /** Compares in constant time, so equality checks leak nothing about the value through timing. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Secret secret
                && MessageDigest.isEqual(
                        value.getBytes(StandardCharsets.UTF_8), secret.value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    /** Always {@value #MASK}, whatever the value. */
    @Override
    public String toString() {
        return MASK;
    }
}
