package io.bronzecdc.model.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where tests find the Pagila COPY files: system property {@code bronze.pagila.dir}, set by the build. */
public final class PagilaFiles {
    /** The system property naming the Pagila directory. */
    public static final String PROPERTY = "bronze.pagila.dir";

    private PagilaFiles() {
    }

    /**
     * The Pagila directory.
     *
     * @throws IllegalStateException saying where it was looked for and how to point at it, when absent
     */
    public static Path directory() {
        String configured = System.getProperty(PROPERTY);
        Path dir = Path.of(configured == null ? "../shared/pagila" : configured).toAbsolutePath().normalize();
        if (!Files.isReadable(dir.resolve("payment.copy"))) {
            throw new IllegalStateException("the Pagila rows are not at " + dir + ": these tests need"
                    + " customer.copy, payment.copy and rental.copy. Put the shared folder beside the checkout"
                    + " (../shared/pagila) or run Maven with -D" + PROPERTY + "=<dir>");
        }
        return dir;
    }
}
