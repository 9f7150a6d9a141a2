package io.bronzecdc.peer;

import java.nio.file.Path;

/**
 * A peer's command line: {@code --config <pipeline yaml> [--work <dir>]}. The work folder holds the peer's own state
 * (Debezium's offsets, Flink's checkpoints); by default {@code <config file name>.<peer>-work} next to the config.
 *
 * @param config the pipeline YAML, the same file bronze-cdc's engines take
 * @param work the peer's state folder
 */
public record PeerOptions(Path config, Path work) {
    /** Exit code of a bad command line, config or source (nothing written). */
    public static final int EXIT_NOT_READY = 2;
    /** Exit code of a failure while running. */
    public static final int EXIT_FAILED = 1;

    /**
     * Reads {@code args}.
     *
     * @param peer the peer's name, for the default work folder and messages
     * @throws IllegalArgumentException saying what is wrong and the usage
     */
    public static PeerOptions parse(String peer, String[] args) {
        Path config = null;
        Path work = null;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if ((option.equals("--config") || option.equals("--work")) && i + 1 < args.length) {
                Path value = Path.of(args[++i]).toAbsolutePath().normalize();
                if (option.equals("--config")) {
                    config = value;
                } else {
                    work = value;
                }
            } else {
                throw new IllegalArgumentException("unexpected argument '" + option + "'. " + usage(peer));
            }
        }
        if (config == null) {
            throw new IllegalArgumentException("--config is required. " + usage(peer));
        }
        if (work == null) {
            work = config.resolveSibling(config.getFileName() + "." + peer + "-work");
        }
        return new PeerOptions(config, work);
    }

    private static String usage(String peer) {
        return "Usage: " + peer + " --config <pipeline yaml> [--work <state dir>]";
    }
}
