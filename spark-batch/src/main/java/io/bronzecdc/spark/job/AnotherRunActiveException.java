package io.bronzecdc.spark.job;

/** Another run of the same pipeline holds the pipeline's advisory lock, so this run wrote nothing. */
public final class AnotherRunActiveException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AnotherRunActiveException(String message) {
        super(message);
    }
}
