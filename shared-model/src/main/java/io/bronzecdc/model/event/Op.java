package io.bronzecdc.model.event;

/** The kind of a change, stored in bronze as one character. Initial-snapshot rows are {@link #INSERT}. */
public enum Op {
    INSERT('I'),
    UPDATE('U'),
    DELETE('D');

    private final char code;

    Op(char code) {
        this.code = code;
    }

    /** The bronze {@code op} value: {@code I}, {@code U} or {@code D}. */
    public char code() {
        return code;
    }

    /**
     * The op for a bronze {@code op} value.
     *
     * @throws IllegalArgumentException naming the value when it is not I, U or D
     */
    public static Op fromCode(char code) {
        return switch (code) {
            case 'I' -> INSERT;
            case 'U' -> UPDATE;
            case 'D' -> DELETE;
            default -> throw new IllegalArgumentException(
                    "op must be one of I, U, D but was '" + code + "'");
        };
    }
}
