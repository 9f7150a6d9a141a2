package io.bronzecdc.flink.source.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;

import io.bronzecdc.model.ContractViolationException;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.sql.SQLException;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;

/**
 * What the reader throws when the fetcher thread failed: a change the decoder refuses ends the job for good (found
 * by HostileDataIT: a table switched to REPLICA IDENTITY DEFAULT made the job restart, refuse the same change again
 * and log it every few seconds for about 20 minutes), while a fault that may heal is left to the restart strategy.
 */
class ReplicationFetcherFailureTest {
    @Test
    void shouldFailForGoodOnAChangeTheDecoderRefuses() {
        ContractViolationException refusal = new ContractViolationException("public.h_toast: UPDATE at 0/78EA620,"
                + " column big: the server sent only an unchanged-TOAST marker. Fix: ALTER TABLE public.h_toast"
                + " REPLICA IDENTITY FULL");

        RuntimeException thrown = ReplicationFetcher.failed("flink_hostile", refusal);

        assertThat(thrown).isInstanceOf(SuppressRestartsException.class);
        assertThat(ExceptionUtils.findThrowable(thrown, ContractViolationException.class)).as("the refusal, for the"
                + " job's last message").containsSame(refusal);
        assertThat(thrown.getCause()).as("what the job log shows under Flink's own message")
                .hasMessageContaining("flink_hostile").hasMessageContaining("REPLICA IDENTITY FULL");
    }

    @Test
    void shouldFailForGoodOnAWrappedRefusal() {
        ContractViolationException refusal = new ContractViolationException("column c: not representable");

        assertThat(ReplicationFetcher.failed("s", new IllegalStateException("decoding", refusal)))
                .isInstanceOf(SuppressRestartsException.class);
    }

    @Test
    void shouldLeaveAFaultThatMayHealToTheRestartStrategy() {
        SQLException lost = new SQLException("An I/O error occurred while sending to the backend.", "08006",
                new SocketException("Connection reset"));

        RuntimeException thrown = ReplicationFetcher.failed("flink_hostile", lost);

        assertThat(thrown).isNotInstanceOf(SuppressRestartsException.class).hasCause(lost)
                .hasMessageContaining("reading replication slot flink_hostile failed");
        assertThat(ReplicationFetcher.failed("s", new UncheckedIOException(new java.io.IOException("eof"))))
                .isNotInstanceOf(SuppressRestartsException.class);
    }
}
