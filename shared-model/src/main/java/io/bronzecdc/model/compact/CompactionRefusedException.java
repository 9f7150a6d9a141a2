package io.bronzecdc.model.compact;

/**
 * A compaction that was refused before it changed anything: its target would overwrite what is not its own (a
 * source or bronze schema, an object another tool made). The message says what and how to choose another target.
 */
public final class CompactionRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CompactionRefusedException(String message) {
        super(message);
    }
}
