package io.bronzecdc.model.config;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The one declaration of a config key: its dotted name, its type, whether it is required or has a default, and
 * what it means. The loader, the startup log line and the key reference are all derived from these
 * declarations; see {@link PipelineConfigKeys} for the keys themselves.
 *
 * @param name the dotted, lower-case key, for example {@code source.slot.name}
 * @param type how the YAML value is converted and printed
 * @param presence whether the key must be given, may be left out, or falls back to {@code defaultValue}
 * @param defaultValue the value used when the key is absent; non-null exactly when presence is {@code DEFAULTED}
 * @param description what the key means, with units; ends up in the key reference
 * @param <T> the Java type of the value
 */
public record ConfigKey<T>(String name, ValueType<T> type, Presence presence, T defaultValue, String description) {
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*");

    /** Whether a key must be written in the config file. */
    public enum Presence {
        /** The key must be given; there is no default. */
        REQUIRED,
        /** The key may be left out; the loader then uses {@code null} and decides what that means. */
        OPTIONAL,
        /** The key may be left out; its default value is then used. */
        DEFAULTED
    }

    public ConfigKey {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("config key name must be lower-case and dotted, such as"
                    + " 'source.slot.name', but was '" + name + "'");
        }
        Objects.requireNonNull(type, "type of " + name);
        Objects.requireNonNull(presence, "presence of " + name);
        Objects.requireNonNull(description, "description of " + name);
        if ((presence == Presence.DEFAULTED) != (defaultValue != null)) {
            throw new IllegalArgumentException("config key " + name + " is " + presence
                    + (defaultValue == null ? " but has no default value" : " but has a default value"));
        }
    }

    /** A key that must be given. */
    public static <T> ConfigKey<T> required(String name, ValueType<T> type, String description) {
        return new ConfigKey<>(name, type, Presence.REQUIRED, null, description);
    }

    /** A key that may be left out, with no default. */
    public static <T> ConfigKey<T> optional(String name, ValueType<T> type, String description) {
        return new ConfigKey<>(name, type, Presence.OPTIONAL, null, description);
    }

    /** A key that falls back to {@code defaultValue} when left out. */
    public static <T> ConfigKey<T> withDefault(String name, ValueType<T> type, T defaultValue, String description) {
        return new ConfigKey<>(name, type, Presence.DEFAULTED, Objects.requireNonNull(defaultValue, name), description);
    }

    /** {@code required}, {@code optional} or {@code default <value>}, for the key reference. */
    public String presenceText() {
        return switch (presence) {
            case REQUIRED -> "required";
            case OPTIONAL -> "optional";
            case DEFAULTED -> "default " + type.format(defaultValue);
        };
    }

    @Override
    public String toString() {
        return name;
    }
}
