package io.bronzecdc.bench.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bronzecdc.model.testing.PagilaFiles;
import io.bronzecdc.model.testing.PostgresExtension;
import io.bronzecdc.testkit.pagila.PagilaLoader;
import io.bronzecdc.testkit.pagila.SourceSchema;
import io.bronzecdc.testkit.postgres.EmbeddedPostgresServer;
import io.bronzecdc.testkit.workload.CommittedTransaction;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reliability suite's ledger through lost COMMIT answers. The workload reaches the server through a loopback proxy
 * that breaks the connection at a seeded share of its COMMITs: either before the COMMIT reaches the server (the
 * server then aborts the transaction) or after the server answered it (the server committed, the client never hears
 * so). Either way the client sees its COMMIT fail and the transaction is in doubt. The ledger must then hold exactly
 * the transactions the server committed, in commit order: the slot's own record of the committed transactions (the
 * xid of every decoded change, in WAL order) is the reference. A ledger that counted an aborted transaction would
 * report a loss in every later run; one that dropped a committed one, a duplicate.
 * {@code -Dbronze.reliability.seed=N} replays a seed.
 */
class BackgroundWorkloadIT {
    @RegisterExtension
    static final PostgresExtension POSTGRES = new PostgresExtension();

    private static final long SEED = Long.getLong("bronze.reliability.seed", System.nanoTime());
    private static final int TRANSACTIONS = 300;
    private static final String SLOT = "ledger_it";

    @BeforeAll
    static void loadPagila() throws Exception {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            SourceSchema.create(c);
            PagilaLoader.loadFiles(c, PagilaFiles.directory());
            s.execute("CREATE PUBLICATION ledger_it FOR ALL TABLES");
            s.execute("SELECT pg_create_logical_replication_slot('" + SLOT + "', 'pgoutput')");
        }
    }

    @Test
    void shouldLedgerExactlyTheTransactionsTheServerCommittedWhenCommitAnswersAreLost() throws Exception {
        System.out.println("BackgroundWorkloadIT seed " + SEED + " (replay with -Dbronze.reliability.seed=" + SEED
                + ")");
        Ledger ledger = new Ledger();
        long inDoubt;
        try (CommitCuttingProxy proxy = new CommitCuttingProxy(POSTGRES.server().port(), SEED)) {
            // prepareThreshold=0: every COMMIT goes out as text (not as a named server-side statement), so the proxy
            // sees each one.
            String url = "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + POSTGRES.database()
                    + "?prepareThreshold=0";
            BackgroundWorkload workload = new BackgroundWorkload(
                    () -> DriverManager.getConnection(url, EmbeddedPostgresServer.SUPERUSER, ""), SEED, ledger, 500,
                    TRANSACTIONS);
            try {
                await().atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> {
                            workload.requireHealthy();
                            return ledger.transactions() >= TRANSACTIONS;
                        });
            } finally {
                workload.close();
            }
            inDoubt = workload.inDoubt();
            assertThat(proxy.cutBefore()).as("COMMITs cut before the server (seed %d)", SEED).isPositive();
            assertThat(proxy.cutAfter()).as("COMMITs cut after the server answered (seed %d)", SEED).isPositive();
            assertThat(inDoubt).as("commits in doubt (seed %d)", SEED)
                    .isEqualTo(proxy.cutBefore() + proxy.cutAfter());
        }

        List<Long> committed = new ArrayList<>();
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT xid::text::bigint FROM pg_logical_slot_get_binary_changes('"
                        + SLOT + "', NULL, NULL, 'proto_version', '1', 'publication_names', 'ledger_it')"
                        + " WHERE get_byte(data, 0) = ascii('B')")) {
            while (rs.next()) {
                committed.add(rs.getLong(1));
            }
        }
        // A fresh cluster is in xid epoch 0: the 64-bit ids the workload recorded equal the slot's 32-bit ones.
        assertThat(ledger.txIds()).as("the ledger against the transactions the server committed, in commit order"
                + " (seed %d, %d commits in doubt)", SEED, inDoubt).containsExactlyElementsOf(committed);
    }

    /**
     * After an immediate shutdown the server restarts its transaction counter after the last id in the WAL, so a
     * transaction whose id was handed out but whose changes and COMMIT never reached the WAL is "in the future" to
     * {@code pg_xact_status}. Campaign run 38 (flink-postgres-immediate, seed 20261202038) failed on that answer
     * instead of counting the transaction as not committed. An id well past the server's counter gives the same answer.
     */
    @Test
    void shouldCountATransactionWhoseIdTheServerHasNotHandedOutAsNotCommitted() throws Exception {
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_current_xact_id()::text::bigint")) {
            rs.next();
            long future = rs.getLong(1) + 1_000_000;
            CommittedTransaction lostInCrash = new CommittedTransaction(future, Instant.now(), List.of());

            assertThat(BackgroundWorkload.committed(c, lostInCrash)).as("transaction %d", future).isFalse();
        }
    }

    /**
     * A loopback TCP proxy to the server that breaks the connection at about one COMMIT in eight: half of those before
     * the COMMIT is passed on, half once the server's answer to it arrives (which is then not passed on).
     */
    private static final class CommitCuttingProxy implements AutoCloseable {
        private static final byte[] COMMIT = "COMMIT".getBytes(StandardCharsets.US_ASCII);

        private final int serverPort;
        private final SplittableRandom random;
        private final ServerSocket listener;
        private final Thread acceptor;
        private final AtomicInteger cutBefore = new AtomicInteger();
        private final AtomicInteger cutAfter = new AtomicInteger();

        CommitCuttingProxy(int serverPort, long seed) throws IOException {
            this.serverPort = serverPort;
            this.random = new SplittableRandom(seed);
            this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.acceptor = new Thread(this::accept, "commit-cutting-proxy");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        int cutBefore() {
            return cutBefore.get();
        }

        int cutAfter() {
            return cutAfter.get();
        }

        private void accept() {
            while (!listener.isClosed()) {
                try {
                    Socket client = listener.accept();
                    Socket server = new Socket(InetAddress.getLoopbackAddress(), serverPort);
                    new Proxied(client, server).start();
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        /** One proxied connection: two pumps; the client's pump decides, the server's carries out an "after" cut. */
        private final class Proxied {
            private final Socket client;
            private final Socket server;
            private volatile boolean cutOnAnswer;

            Proxied(Socket client, Socket server) {
                this.client = client;
                this.server = server;
            }

            void start() {
                Thread up = new Thread(() -> pump(client, server, this::cutOnTheWayUp), "proxy-up");
                // The server answered a COMMIT marked for an "after" cut: it is durable (synchronous_commit=on), and
                // the client never hears so.
                Thread down = new Thread(() -> pump(server, client, (buffer, n) -> cutOnAnswer), "proxy-down");
                up.setDaemon(true);
                down.setDaemon(true);
                up.start();
                down.start();
            }

            /** At a COMMIT: true to break the connection before it reaches the server, or marks an "after" cut. */
            private boolean cutOnTheWayUp(byte[] buffer, int n) {
                if (!contains(buffer, n, COMMIT)) {
                    return false;
                }
                int dice;
                synchronized (random) {
                    dice = random.nextInt(16);
                }
                if (dice == 0) {
                    cutBefore.incrementAndGet();
                    return true;
                }
                if (dice == 1) {
                    cutAfter.incrementAndGet();
                    cutOnAnswer = true;
                }
                return false;
            }

            /** Copies {@code from} to {@code to}, chunk by chunk, until an end closes or {@code cut} says so. */
            private void pump(Socket from, Socket to, Cut cut) {
                byte[] buffer = new byte[64 * 1024];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    for (int n; (n = in.read(buffer)) > 0 && !cut.before(buffer, n); ) {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                } catch (IOException e) {
                    // the connection was broken on purpose, or closed by an end
                } finally {
                    breakBoth();
                }
            }

            private void breakBoth() {
                closeQuietly(client);
                closeQuietly(server);
            }
        }

        /** Whether to break the connection instead of passing a chunk on. */
        private interface Cut {
            boolean before(byte[] buffer, int length);
        }

        private static boolean contains(byte[] buffer, int length, byte[] needle) {
            outer:
            for (int i = 0; i + needle.length <= length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (buffer[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        }

        private static void closeQuietly(Socket socket) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already closed
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
