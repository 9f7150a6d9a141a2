package io.bronzecdc.flink.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.config.Secret;
import io.bronzecdc.model.config.SslMode;
import io.bronzecdc.model.event.TableId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.postgresql.PGProperty;
import org.postgresql.plugin.AuthenticationRequestType;

class SourcePasswordTest {

    @Test
    void shouldGiveTheDriverThePasswordThatTravelledInTheJobGraphInsteadOfThePlaceholder() throws Exception {
        String password = "s3cret-" + System.nanoTime();
        byte[] jobGraph = serialize(new CanonicalDeserializer(SourcePassword.of(source("db-a", password))));
        SourcePasswordPlugin plugin = new SourcePasswordPlugin(info("db-a", SourcePassword.PLACEHOLDER));
        assertThatThrownBy(() -> plugin.getPassword(AuthenticationRequestType.SASL))
                .as("nothing registered before the job graph is deserialized").hasMessageContaining("no password");

        deserialize(jobGraph);
        assertThat(new String(plugin.getPassword(AuthenticationRequestType.SASL))).isEqualTo(password);
        assertThat(new String(new SourcePasswordPlugin(info("db-a", "stale")).getPassword(
                AuthenticationRequestType.MD5_PASSWORD))).as("the registered password wins").isEqualTo(password);
    }

    @Test
    void shouldShowNoPasswordInToStringOrInTheSourceConfigFlinkCdcLogs() {
        SourcePassword handoff = SourcePassword.of(source("db-c", "hidden-value"));
        assertThat(handoff.toString()).doesNotContain("hidden-value").contains("cdc@db.example:5432/db-c");
        assertThat(SourcePassword.PLACEHOLDER).doesNotContain("hidden-value");
    }

    @Test
    void shouldUseTheGivenPasswordForAnAccountNothingRegistered() throws Exception {
        assertThat(new String(new SourcePasswordPlugin(info("db-unregistered", "given"))
                .getPassword(AuthenticationRequestType.MD5_PASSWORD))).isEqualTo("given");
    }

    @Test
    void shouldRefuseThePlaceholderWithAMessageThatSaysWhy() {
        assertThatThrownBy(() -> new SourcePasswordPlugin(info("db-missing", SourcePassword.PLACEHOLDER))
                .getPassword(AuthenticationRequestType.SASL))
                .hasMessageContaining("no password for cdc@db.example:5432/db-missing in this JVM")
                .hasMessageContaining("child-first");
    }

    /** What pgjdbc hands the plugin: the URL's parts and the connection properties. */
    private static Properties info(String database, String password) {
        Properties info = new Properties();
        PGProperty.PG_HOST.set(info, "db.example");
        PGProperty.PG_PORT.set(info, "5432");
        PGProperty.PG_DBNAME.set(info, database);
        PGProperty.USER.set(info, "cdc");
        PGProperty.PASSWORD.set(info, password);
        return info;
    }

    private static PipelineConfig.SourceConfig source(String database, String password) {
        return new PipelineConfig(new PipelineConfig.SourceConfig("db.example", 5432, database, "cdc",
                Secret.of(password), SslMode.DISABLE, "slot_x", "pub_x"), new PipelineConfig.BronzeConfig("cdc_bronze"),
                List.of(TableId.of("customer")), Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofSeconds(1))
                .source();
    }

    private static byte[] serialize(Object value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    private static Object deserialize(byte[] bytes) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return in.readObject();
        }
    }
}
