package io.bronzecdc.spark.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;

/** The pom passes Spark's Java 17 flags to test JVMs by hand; this keeps the copy equal to Spark's own list. */
class JavaModuleOptionsTest {
    @Test
    void shouldPassTestJvmsExactlySparksOwnModuleOptions() {
        assertThat(System.getProperty("spark.java.module.options"))
                .as("spark.java.module.options in spark-batch/pom.xml")
                .isEqualTo(JavaModuleOptions.defaultModuleOptions());
    }
}
