package io.bronzecdc.model.pgoutput;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bronzecdc.model.ContractViolationException;
import io.bronzecdc.model.source.SchemaChangeTrigger;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The content of a logical decoding message the schema-change trigger emitted (see {@link SchemaChangeTrigger}).
 *
 * @param schema the altered table's schema
 * @param table the altered table's name
 * @param commandTag the command, {@code ALTER TABLE}
 * @param ddl the statement's text
 * @param columnsBefore the columns before the change, a JSON array
 * @param columns the columns after it, a JSON array
 */
record SchemaChangeMessage(String schema, String table, String commandTag, String ddl, String columnsBefore,
        String columns) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Reads a message; empty when it is not a schema change (another prefix, or the Spark run's bound marker).
     *
     * @throws ContractViolationException when a schema-change message cannot be read
     */
    static Optional<SchemaChangeMessage> of(PgOutputMessage.LogicalMessage message) {
        ByteBuffer content = message.content();
        if (!SchemaChangeTrigger.MESSAGE_PREFIX.equals(message.prefix()) || !content.hasRemaining()
                || content.get(content.position()) != '{') {
            return Optional.empty();
        }
        byte[] bytes = new byte[content.remaining()];
        content.duplicate().get(bytes);
        try {
            JsonNode node = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
            if (!SchemaChangeTrigger.SCHEMA_CHANGE_EVENT.equals(node.path("event").asText())) {
                return Optional.empty();
            }
            JsonNode before = node.path("columns_before");
            return Optional.of(new SchemaChangeMessage(node.path("schema").asText(), node.path("table").asText(),
                    node.path("command_tag").asText(), node.path("ddl").asText(null),
                    before.isArray() ? before.toString() : "[]", node.path("columns").toString()));
        } catch (IOException e) {
            throw new ContractViolationException("logical decoding message at " + message.lsn() + " with prefix '"
                    + message.prefix() + "' is not the JSON the schema-change trigger emits (" + e.getMessage()
                    + "). Reinstall the trigger as a superuser with bronze-cdc init (or an engine's --init)", e);
        }
    }
}
