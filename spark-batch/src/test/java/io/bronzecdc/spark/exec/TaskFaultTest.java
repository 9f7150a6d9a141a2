package io.bronzecdc.spark.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.spark.exec.TaskFault.Action;
import io.bronzecdc.spark.exec.TaskFault.Fault;
import io.bronzecdc.spark.exec.TaskFault.Point;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@value TaskFault#CONF} setting: a list of faults, each firing once per armed file. */
class TaskFaultTest {
    @TempDir
    Path dir;

    @Test
    void shouldParseOneFault() {
        assertThat(TaskFault.parse("STAGED:halt:/tmp/bronze/staged"))
                .containsExactly(new Fault(Point.STAGED, Action.HALT, Path.of("/tmp/bronze/staged")));
    }

    @Test
    void shouldParseACommaSeparatedListInOrderWithSpacesAndAnyCase() {
        assertThat(TaskFault.parse(" read:THROW:/tmp/a , STAGED:throw:/tmp/b,STAGED:Halt:/tmp/c ,"))
                .containsExactly(new Fault(Point.READ, Action.THROW, Path.of("/tmp/a")),
                        new Fault(Point.STAGED, Action.THROW, Path.of("/tmp/b")),
                        new Fault(Point.STAGED, Action.HALT, Path.of("/tmp/c")));
    }

    @Test
    void shouldKeepColonsInTheFilePath() {
        assertThat(TaskFault.parse("READ:throw:/tmp/run:1/read").get(0).file()).isEqualTo(Path.of("/tmp/run:1/read"));
    }

    @Test
    void shouldParseAnEmptySettingAsNoFaults() {
        assertThat(TaskFault.parse("")).isEmpty();
        assertThat(TaskFault.parse(" , ")).isEmpty();
    }

    @Test
    void shouldRejectAMalformedEntryNamingIt() {
        assertThatThrownBy(() -> TaskFault.parse("READ:throw:/tmp/a,STAGED:throw"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(TaskFault.CONF).hasMessageContaining("'STAGED:throw'")
                .hasMessageContaining("<READ|STAGED>:<throw|halt>:<file>");
        assertThatThrownBy(() -> TaskFault.parse("WRITE:throw:/tmp/a")).hasMessageContaining("unknown point WRITE");
        assertThatThrownBy(() -> TaskFault.parse("READ:crash:/tmp/a")).hasMessageContaining("unknown action crash");
        assertThatThrownBy(() -> TaskFault.parse("READ:throw: ")).hasMessageContaining("'READ:throw:'");
    }

    @Test
    void shouldFailOncePerArmedFileAtItsPointOnly() throws Exception {
        Path read = Files.createFile(dir.resolve("read"));
        Path stagedOnce = Files.createFile(dir.resolve("staged-1"));
        Path stagedTwice = Files.createFile(dir.resolve("staged-2"));
        String setting = "READ:throw:" + read + ",STAGED:throw:" + stagedOnce + ",STAGED:throw:" + stagedTwice;

        assertThatThrownBy(() -> TaskFault.at(Point.STAGED, setting)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("injected task failure at STAGED");
        assertThat(stagedOnce).doesNotExist();
        assertThat(stagedTwice).exists();
        assertThat(read).as("a fault of another point stays armed").exists();
        assertThatThrownBy(() -> TaskFault.at(Point.STAGED, setting)).hasMessageContaining("at STAGED");
        assertThat(stagedTwice).doesNotExist();
        assertThatCode(() -> TaskFault.at(Point.STAGED, setting)).as("every STAGED fault fired")
                .doesNotThrowAnyException();

        assertThatThrownBy(() -> TaskFault.at(Point.READ, setting)).hasMessageContaining("at READ");
        assertThat(read).doesNotExist();
        assertThatCode(() -> TaskFault.at(Point.READ, setting)).doesNotThrowAnyException();
    }

    @Test
    void shouldDoNothingWithoutASettingOrOutsideSpark() {
        assertThatCode(() -> TaskFault.at(Point.READ, "")).doesNotThrowAnyException();
        assertThatCode(() -> TaskFault.at(Point.READ)).as("no SparkEnv in a unit test").doesNotThrowAnyException();
    }
}
