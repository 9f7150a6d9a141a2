package io.bronzecdc.model.source;

import io.bronzecdc.model.config.PipelineConfig;
import io.bronzecdc.model.event.TableId;
import io.bronzecdc.model.postgres.SqlNames;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The checks every engine runs on the source database before it writes anything: logical WAL, a role allowed to
 * replicate and to read the captured tables, the captured tables present with REPLICA IDENTITY FULL (partitions
 * included), the publication present, publishing through the partition root and covering every table, the
 * pipeline's slot, when it exists, a pgoutput slot of this database that no other process reads. Each problem comes
 * with its fix; the engines add their own checks and those of the database bronze is written to
 * ({@link io.bronzecdc.model.bronze.TargetPreflight}) and report everything at once.
 *
 * <p>{@link #inspect} only reads the catalog. What an engine may fix itself ({@link SourceFix}: REPLICA IDENTITY
 * FULL, the publication and its tables) comes back separately, with the privileges the role lacks to fix it, so
 * that {@code --init} can refuse before changing anything and then apply every fix in one transaction.
 */
public final class SourcePreflight {
    private final PipelineConfig config;
    private final List<TableId> tables;
    private final boolean checkSlot;

    /** @param tables the captured tables, as {@link TableSelection#resolve} gave them */
    public SourcePreflight(PipelineConfig config, List<TableId> tables) {
        this(config, tables, true);
    }

    private SourcePreflight(PipelineConfig config, List<TableId> tables, boolean checkSlot) {
        this.config = config;
        this.tables = List.copyOf(tables);
        this.checkSlot = checkSlot;
    }

    /**
     * The same checks without those of the replication slot: for a table joining a running pipeline, whose slot
     * was checked at its start and may be read meanwhile by the pipeline's own stream (the Flink source).
     */
    public SourcePreflight ignoringSlot() {
        return new SourcePreflight(config, tables, false);
    }

    /**
     * What the source lacks, read from the catalog; changes nothing.
     *
     * @return the problems nobody but an administrator can fix, and the fixes an engine may apply itself
     */
    public SourceInspection inspect(Connection c) throws SQLException {
        List<String> problems = new ArrayList<>();
        String tooOld = versionProblem(Integer.parseInt(single(c, "SELECT current_setting('server_version_num')")),
                single(c, "SELECT current_setting('server_version')"));
        if (tooOld != null) {
            // The later checks read catalogs an older server may lack; this one problem is the whole answer.
            return new SourceInspection(single(c, "SELECT current_user"), List.of(tooOld), List.of(), List.of());
        }
        String user = single(c, "SELECT current_user");
        String database = config.source().database();
        String walLevel = single(c, "SELECT current_setting('wal_level')");
        if (!"logical".equals(walLevel)) {
            problems.add("wal_level is '" + walLevel + "' but logical decoding needs 'logical': run ALTER SYSTEM SET"
                    + " wal_level = logical and restart the server");
        }
        if (!"true".equals(single(c, "SELECT (rolreplication OR rolsuper)::text FROM pg_roles WHERE rolname = current_user"))) {
            problems.add("role " + user + " may not replicate: run ALTER ROLE " + SqlNames.quote(user)
                    + " WITH REPLICATION");
        }
        List<TableId> present = new ArrayList<>();
        for (TableId table : tables) {
            if (single(c, "SELECT to_regclass(?)::text", table.quoted()) == null) {
                problems.add("table " + table + " does not exist in database " + database
                        + ": create it, or remove it from 'tables' in the pipeline config");
            } else {
                present.add(table);
                if (!"true".equals(single(c, "SELECT has_table_privilege(?, 'SELECT')::text", table.quoted()))) {
                    problems.add("role " + user + " may not read table " + table + " (the initial snapshot reads it):"
                            + " run GRANT SELECT ON " + table.quoted() + " TO " + SqlNames.quote(user));
                }
            }
        }
        List<SourceFix> fixes = new ArrayList<>();
        List<IdentityGap> gaps = identityGaps(c, present);
        List<String> notFull = gaps.stream().filter(IdentityGap::keyedDefault).map(IdentityGap::relation).toList();
        if (!notFull.isEmpty()) {
            fixes.add(new SourceFix("REPLICA IDENTITY is not FULL on " + String.join(", ", notFull) + ", so updates"
                    + " and deletes would lose column values",
                    notFull.stream().map(t -> "ALTER TABLE " + t + " REPLICA IDENTITY FULL").toList(),
                    ownershipGaps(c, user, notFull)));
        }
        for (IdentityGap gap : gaps) {
            if (!gap.keyedDefault()) {
                fixes.add(new SourceFix(gap.problem(), List.of("ALTER TABLE " + gap.relation() + " REPLICA IDENTITY FULL"),
                        ownershipGaps(c, user, List.of(gap.relation()))));
            }
        }
        checkPublication(c, user, present, problems, fixes);
        if (checkSlot) {
            checkSlot(c, problems);
        }
        List<SourceFix> optional = new ArrayList<>();
        SourceFix trigger = SchemaChangeTrigger.fixFor(c, user);
        if (trigger != null) {
            optional.add(trigger);
        }
        return new SourceInspection(user, problems, fixes, optional, generatedColumnCautions(c, present));
    }

    /**
     * Logical replication carries no generated column (PostgreSQL 14 to 17 never; 18 only stored ones, and only for a
     * publication created with {@code publish_generated_columns = stored}). A captured table with one gets it in its
     * snapshot rows, read with {@code SELECT}, and not in the changes streamed after: its bronze rows differ in shape
     * and {@code validate} reports the table. Nothing is lost that the other columns do not give again.
     */
    private static List<String> generatedColumnCautions(Connection c, List<TableId> tables) throws SQLException {
        List<String> cautions = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum)"
                + " FROM pg_attribute WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped"
                + " AND attgenerated <> ''")) {
            for (TableId table : tables) {
                ps.setString(1, table.quoted());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getString(1) != null) {
                        cautions.add("table " + table + " has generated columns (" + rs.getString(1) + "), which"
                                + " logical replication does not carry: its bronze snapshot rows hold them, the"
                                + " changes streamed after do not, and bronze-cdc validate reports schema_drift for"
                                + " the table. Compute them from the other columns where bronze is read (a view or"
                                + " the silver layer), or capture a table without them");
                    }
                }
            }
        }
        return cautions;
    }

    /** The oldest PostgreSQL release bronze-cdc captures from, as {@code server_version_num}. */
    public static final int OLDEST_SERVER_VERSION_NUM = 140000;

    /**
     * Why a source server of this version cannot be captured, or {@code null} when it can. Both engines ask pgoutput
     * for logical decoding messages ({@code messages 'true'}), which it accepts from PostgreSQL 14 on: the Flink
     * source and the Spark job mark their positions with them. An older server would refuse the stream with
     * "unrecognized pgoutput option" long after the snapshot.
     *
     * @param serverVersionNum {@code server_version_num}, e.g. 130007
     * @param serverVersion {@code server_version}, e.g. "13.7"
     */
    static String versionProblem(int serverVersionNum, String serverVersion) {
        if (serverVersionNum >= OLDEST_SERVER_VERSION_NUM) {
            return null;
        }
        return "the source server runs PostgreSQL " + serverVersion + ", and bronze-cdc needs PostgreSQL 14 or later"
                + " (pgoutput's logical decoding messages, which both engines use, arrived in 14): upgrade the server"
                + " (see \"PostgreSQL versions\" in the README for the versions tested)";
    }

    private void checkPublication(Connection c, String user, List<TableId> tables, List<String> problems,
            List<SourceFix> fixes) throws SQLException {
        String publication = config.source().publicationName();
        String viaRoot = single(c, "SELECT pubviaroot::text FROM pg_publication WHERE pubname = ?", publication);
        if (viaRoot == null) {
            if (tables.isEmpty()) {
                return; // every table is missing, reported above: there is nothing to create a publication for
            }
            List<PrivilegeGap> gaps = new ArrayList<>();
            if (!"true".equals(single(c, "SELECT has_database_privilege(current_database(), 'CREATE')::text"))) {
                String database = config.source().database();
                gaps.add(new PrivilegeGap("CREATE on database " + database,
                        "GRANT CREATE ON DATABASE " + SqlNames.quote(database) + " TO " + SqlNames.quote(user)));
            }
            gaps.addAll(ownershipGaps(c, user, tables.stream().map(TableId::quoted).toList()));
            fixes.add(new SourceFix("publication " + publication + " does not exist",
                    List.of("CREATE PUBLICATION " + SqlNames.quote(publication) + " FOR TABLE " + tables.stream()
                            .map(TableId::quoted).collect(Collectors.joining(", "))
                            + " WITH (publish_via_partition_root = true)"), gaps));
            return;
        }
        if (!"true".equals(viaRoot)) {
            fixes.add(new SourceFix("publication " + publication + " publishes partitions under their own names, so"
                    + " changes of a partitioned table would arrive under each partition's name",
                    List.of("ALTER PUBLICATION " + SqlNames.quote(publication)
                            + " SET (publish_via_partition_root = true)"), publicationOwnershipGaps(c, user)));
        }
        List<String> unpublished = new ArrayList<>();
        // Without publish_via_partition_root, pg_publication_tables lists a published partitioned table's partitions
        // instead of the table itself: a table counts as published when it or one of its partitions is listed.
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication_tables"
                + " WHERE pubname = ? AND ((schemaname = ? AND tablename = ?) OR format('%I.%I', schemaname,"
                + " tablename)::regclass IN (SELECT relid FROM pg_partition_tree(?::regclass)))")) {
            for (TableId table : tables) {
                ps.setString(1, publication);
                ps.setString(2, table.schema());
                ps.setString(3, table.name());
                ps.setString(4, table.quoted());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        unpublished.add(table.quoted());
                    }
                }
            }
        }
        if (!unpublished.isEmpty()) {
            List<PrivilegeGap> gaps = new ArrayList<>(publicationOwnershipGaps(c, user));
            gaps.addAll(ownershipGaps(c, user, unpublished));
            String tableList = String.join(", ", unpublished);
            fixes.add(new SourceFix("publication " + publication + " does not publish " + tableList,
                    List.of("ALTER PUBLICATION " + SqlNames.quote(publication) + " ADD TABLE " + tableList), gaps));
        }
    }

    /** Altering the publication is for its owner (or a member of the owning role, or a superuser) only. */
    private List<PrivilegeGap> publicationOwnershipGaps(Connection c, String user) throws SQLException {
        String publication = config.source().publicationName();
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_get_userbyid(pubowner),"
                + " pg_has_role(current_user, pubowner, 'USAGE') FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, publication);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && !rs.getBoolean(2)) {
                    return List.of(new PrivilegeGap("ownership of publication " + publication + " (owner: "
                            + rs.getString(1) + ")", "ALTER PUBLICATION " + SqlNames.quote(publication)
                            + " OWNER TO " + SqlNames.quote(user)));
                }
            }
        }
        return List.of();
    }

    /**
     * ALTER TABLE (replica identity) and adding a table to a publication are for the table's owner only: a role
     * that is neither the owner, a member of the owning role, nor a superuser cannot do either. The grant offered
     * is membership in the owning role, unless that role is a superuser (membership would hand over the rights on
     * everything it owns): then the table's ownership.
     */
    private static List<PrivilegeGap> ownershipGaps(Connection c, String user, List<String> relations)
            throws SQLException {
        List<PrivilegeGap> gaps = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT r.rolname, pg_has_role(current_user, c.relowner,"
                + " 'USAGE'), r.rolsuper FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner"
                + " WHERE c.oid = ?::regclass")) {
            for (String relation : relations) {
                ps.setString(1, relation);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && !rs.getBoolean(2)) {
                        String owner = rs.getString(1);
                        gaps.add(new PrivilegeGap("ownership of table " + relation + " (owner: " + owner + ")",
                                rs.getBoolean(3) ? "ALTER TABLE " + relation + " OWNER TO " + SqlNames.quote(user)
                                        : "GRANT " + SqlNames.quote(owner) + " TO " + SqlNames.quote(user)));
                    }
                }
            }
        }
        return gaps;
    }

    private void checkSlot(Connection c, List<String> problems) throws SQLException {
        String slot = config.source().slotName();
        // wal_status (PostgreSQL 13+) and invalidation_reason (17+) read through to_jsonb, so one query serves 12+.
        try (PreparedStatement ps = c.prepareStatement("SELECT plugin, database, active_pid,"
                + " (SELECT application_name FROM pg_stat_activity a WHERE a.pid = s.active_pid),"
                + " to_jsonb(s)->>'wal_status', to_jsonb(s)->>'invalidation_reason',"
                + " current_setting('max_slot_wal_keep_size', true)"
                + " FROM pg_replication_slots s WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
                if (!"pgoutput".equals(rs.getString(1)) || !config.source().database().equals(rs.getString(2))) {
                    problems.add("replication slot " + slot + " exists for plugin " + rs.getString(1)
                            + " in database " + rs.getString(2) + ", not pgoutput in " + config.source().database()
                            + ": another pipeline owns this name; give this pipeline its own source.slot.name");
                }
                String walStatus = rs.getString(5);
                String invalidation = rs.getString(6);
                if ("lost".equals(walStatus) || invalidation != null) {
                    problems.add("replication slot " + slot + " can no longer deliver every change: the server"
                            + " invalidated it (wal_status " + (walStatus == null ? "unknown" : "'" + walStatus + "'")
                            + (invalidation == null ? "" : ", invalidation_reason '" + invalidation + "'") + "), most"
                            + " often because the pipeline was down while more WAL than max_slot_wal_keep_size ("
                            + rs.getString(7) + ") piled up, and the WAL it had not read was removed. Resuming would"
                            + " silently miss the changes of that gap, so the pipeline does not start. Rebuild: drop"
                            + " the slot and publication (bronze-cdc drop --config <file> --yes), drop this"
                            + " pipeline's bronze tables or point bronze.schema at an empty schema, and start again:"
                            + " it takes a new snapshot. To keep it from happening again, raise"
                            + " max_slot_wal_keep_size or watch the slot's retained WAL (bronze-cdc status)");
                }
                if (rs.getObject(3) != null) {
                    problems.add("replication slot " + slot + " is in use by process " + rs.getInt(3)
                            + " (application '" + rs.getString(4) + "'): another job reads it. Stop that job, or"
                            + " give this pipeline its own source.slot.name");
                }
            }
        }
    }

    /**
     * A captured table or partition whose replica identity is not FULL, so its updates and deletes cannot give
     * complete before-images.
     *
     * @param relation {@code schema.name}, quoted where needed
     * @param identity {@code pg_class.relreplident}: d (default), n (nothing), i (index)
     * @param hasPrimaryKey whether the relation has a primary key
     * @param index the replica identity index, for identity i
     */
    private record IdentityGap(String relation, char identity, boolean hasPrimaryKey, String index) {
        /** The usual case: DEFAULT with a primary key, whose old rows carry only the key. */
        boolean keyedDefault() {
            return identity == 'd' && hasPrimaryKey;
        }

        String problem() {
            return switch (identity) {
                case 'd' -> "table " + relation + " has no primary key and REPLICA IDENTITY DEFAULT, so the server"
                        + " logs no old row for it: once published, its updates and deletes fail on the source, and"
                        + " bronze could not log an update of it as the D of the old row and the I of the new one";
                case 'n' -> "table " + relation + " has REPLICA IDENTITY NOTHING, so its updates and deletes carry no"
                        + " old row (once published, they fail on the source) and give no before-image";
                default -> "table " + relation + " has REPLICA IDENTITY USING INDEX " + index + ", so its old rows"
                        + " carry only that index's columns and updates and deletes would lose column values";
            };
        }
    }

    /**
     * The tables and partitions of {@code tables} whose replica identity is not FULL, with why it matters; each root
     * before its partitions, level by level. {@link SourceInspection#applyFixes} alters them in this order in one
     * transaction, each ALTER TABLE taking an ACCESS EXCLUSIVE lock: a writer locks the root before the partition, so
     * locking a partition first could deadlock with it.
     */
    private static List<IdentityGap> identityGaps(Connection c, List<TableId> tables) throws SQLException {
        List<IdentityGap> gaps = new ArrayList<>();
        // pg_partition_tree() lists a partitioned table and its partitions, but nothing for a plain table.
        String sql = "SELECT quote_ident(n.nspname) || '.' || quote_ident(r.relname), r.relreplident,"
                + " EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = r.oid AND i.indisprimary),"
                + " (SELECT quote_ident(x.relname) FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid"
                + "   WHERE i.indrelid = r.oid AND i.indisreplident)"
                + " FROM (SELECT relid, level FROM pg_partition_tree(?::regclass)"
                + "   UNION SELECT ?::regclass, 0) t JOIN pg_class r ON r.oid = t.relid"
                + " JOIN pg_namespace n ON n.oid = r.relnamespace"
                + " WHERE r.relreplident <> 'f' ORDER BY t.level, r.relname";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (TableId table : tables) {
                ps.setString(1, table.quoted());
                ps.setString(2, table.quoted());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        gaps.add(new IdentityGap(rs.getString(1), rs.getString(2).charAt(0), rs.getBoolean(3),
                                rs.getString(4)));
                    }
                }
            }
        }
        return gaps;
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static String single(Connection c, String sql, String parameter) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }
}
