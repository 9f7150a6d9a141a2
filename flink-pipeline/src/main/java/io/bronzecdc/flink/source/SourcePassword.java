package io.bronzecdc.flink.source;

import io.bronzecdc.model.config.PipelineConfig.SourceConfig;
import io.bronzecdc.model.config.Secret;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The source password on its way from the client that submits the job to every Flink JVM that connects, without
 * ever being a Flink CDC or Debezium property: Flink CDC logs its whole Debezium configuration at INFO
 * ({@code PostgresConnectorConfig is {...}}, about 20 times per job start), whatever the cluster's log settings.
 *
 * <p>It travels inside the job graph as a field of the source's deserializer (like every connector's password).
 * Deserializing it, which happens in the JobManager (split enumerator) and in each TaskManager (readers) before any
 * connection opens, registers it in this JVM; pgjdbc then asks {@link SourcePasswordPlugin} for it when the server
 * wants a password. Flink CDC and Debezium only ever see {@link #PLACEHOLDER}.
 *
 * <p>The registry is static because pgjdbc creates authentication plugins by class name: a lookup in the JVM (more
 * exactly in the job's class loader, so jobs never see each other's entries) is the only hand-over. Each entry is
 * keyed by the account it opens ({@code user@host:port/database}).
 */
public final class SourcePassword implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * What Flink CDC and Debezium get as the password: a marker that says where the real one comes from. pgjdbc never
     * sends it, as the plugin answers instead.
     */
    public static final String PLACEHOLDER = "(not a password: bronze-cdc hands the password to pgjdbc directly)";

    private static final Map<String, Secret> REGISTERED = new ConcurrentHashMap<>();

    private final String account;
    /** Serialized with the job graph; a char array so that no {@code String} of it lingers in this object. */
    private final char[] password;

    private SourcePassword(String account, char[] password) {
        this.account = account;
        this.password = password;
    }

    /**
     * The password of the pipeline's source account. It is registered where it is deserialized (Flink deserializes
     * the job graph in every JVM that runs a part of it, a local MiniCluster's included), not here.
     */
    public static SourcePassword of(SourceConfig source) {
        return new SourcePassword(
                account(source.user(), source.host(), String.valueOf(source.port()), source.database()),
                source.password().reveal().toCharArray());
    }

    /** The key of an account: {@code user@host:port/database}, IPv6 hosts without brackets. */
    static String account(String user, String host, String port, String database) {
        String bareHost = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return user + "@" + bareHost + ":" + port + "/" + database;
    }

    /** The password registered in this JVM for {@code account}. */
    static Optional<Secret> registered(String account) {
        return Optional.ofNullable(REGISTERED.get(account));
    }

    /**
     * Registers the password in this JVM now, for a process that opens its connections without a job graph to
     * carry it (the benchmark peers): pgjdbc's {@link SourcePasswordPlugin} then answers for the account.
     */
    public void register() {
        REGISTERED.put(account, Secret.of(new String(password)));
    }

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        register();
    }

    /** The account only; never the password. */
    @Override
    public String toString() {
        return "SourcePassword[" + account + ", " + Secret.MASK + "]";
    }
}
