package io.bronzecdc.model.testing;

import io.bronzecdc.model.event.TableId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Seeded random tables of the {@link ColumnTypes} catalog in one schema: {@code kt_1 .. kt_K}, each with a
 * {@code bigint} primary key {@code id}, nullable typed columns (every type of the selection lands in some table,
 * plus random repeats), some with a DEFAULT (a constant, {@code now()} or {@code nextval} of the table's sequence
 * {@code kt_<i>_seq}), and REPLICA IDENTITY FULL. The same seed and selection give the same tables.
 *
 * <pre>{@code
 * RandomTypedTables tables = RandomTypedTables.create(connection, "public", seed, 4, t -> true);
 * TypedWorkload workload = new TypedWorkload(connection, tables, seed);
 * }</pre>
 */
public final class RandomTypedTables {
    /**
     * One column.
     *
     * @param name the column name ({@code c<n>_<type label>})
     * @param type its type
     * @param defaultSql its DEFAULT expression, or null for none
     */
    public record Column(String name, ColumnType type, String defaultSql) {
    }

    /** One table: its id and its columns after the key {@code id}. */
    public record Table(TableId id, List<Column> columns) {
        public Table {
            Objects.requireNonNull(id, "id");
            columns = List.copyOf(columns);
        }

        /** The table's sequence (used by its {@code nextval} defaults). */
        public String sequence() {
            return id.schema() + "." + id.name() + "_seq";
        }
    }

    private final long seed;
    private final List<Table> tables;

    private RandomTypedTables(long seed, List<Table> tables) {
        this.seed = seed;
        this.tables = List.copyOf(tables);
    }

    /**
     * Creates {@code count} tables in {@code schema} (created if missing) from {@code seed}, using the catalog
     * types the server offers that {@code selection} accepts.
     */
    public static RandomTypedTables create(Connection connection, String schema, long seed, int count,
            Predicate<ColumnType> selection) throws SQLException {
        List<ColumnType> types = new ArrayList<>(ColumnTypes.available(connection).stream().filter(selection).toList());
        if (types.isEmpty() || count < 1) {
            throw new IllegalArgumentException("no types selected or no tables asked for (count " + count + ")");
        }
        Random random = new Random(seed);
        Collections.shuffle(types, random);
        List<List<ColumnType>> perTable = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            perTable.add(new ArrayList<>());
        }
        for (int i = 0; i < types.size(); i++) {
            perTable.get(i % count).add(types.get(i));
        }
        List<Table> tables = new ArrayList<>();
        try (Statement s = connection.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            for (String setup : new LinkedHashSet<>(types.stream().flatMap(t -> t.setup().stream()).toList())) {
                s.execute(setup);
            }
            for (int i = 0; i < count; i++) {
                List<ColumnType> mine = perTable.get(i);
                for (int extra = random.nextInt(4); extra > 0; extra--) {
                    mine.add(types.get(random.nextInt(types.size())));
                }
                Table table = table(new TableId(schema, "kt_" + (i + 1)), mine, random);
                s.execute(createSql(table));
                tables.add(table);
            }
        }
        return new RandomTypedTables(seed, tables);
    }

    private static Table table(TableId id, List<ColumnType> types, Random random) {
        List<Column> columns = new ArrayList<>();
        String sequence = id.schema() + "." + id.name() + "_seq";
        for (ColumnType type : types) {
            String defaultSql = null;
            if (random.nextInt(3) == 0) {
                defaultSql = switch (type.defaults().get(random.nextInt(type.defaults().size()))) {
                    case CONSTANT -> constant(type, random);
                    case NOW -> "now()";
                    case SEQUENCE -> "nextval('" + sequence + "')";
                };
            }
            columns.add(new Column("c" + (columns.size() + 1) + "_" + type.label(), type, defaultSql));
        }
        return new Table(id, columns);
    }

    /** A random value usable in DEFAULT, which allows no subquery (some edge values are one). */
    private static String constant(ColumnType type, Random random) {
        for (int attempt = 0; attempt < 20; attempt++) {
            String value = type.random().apply(random);
            if (!value.contains("(SELECT")) {
                return value;
            }
        }
        return null;
    }

    private static String createSql(Table table) {
        StringBuilder sql = new StringBuilder("CREATE SEQUENCE " + table.sequence() + "; CREATE TABLE "
                + table.id().qualifiedName() + " (id bigint PRIMARY KEY");
        for (Column c : table.columns()) {
            sql.append(", ").append(c.name()).append(' ').append(c.type().sql());
            if (c.defaultSql() != null) {
                sql.append(" DEFAULT ").append(c.defaultSql());
            }
        }
        return sql.append("); ALTER TABLE ").append(table.id().qualifiedName()).append(" REPLICA IDENTITY FULL")
                .toString();
    }

    /** The seed these tables were made from. */
    public long seed() {
        return seed;
    }

    /** The tables, {@code kt_1} first. */
    public List<Table> tables() {
        return tables;
    }

    /** The ids of the tables. */
    public List<TableId> ids() {
        return tables.stream().map(Table::id).toList();
    }

    /** {@code schema.kt_1, schema.kt_2, ...}: for a publication's table list. */
    public String tableList() {
        return String.join(", ", tables.stream().map(t -> t.id().qualifiedName()).toList());
    }

    /** A one-line description of every table and column, to print with the seed on a failure. */
    public String describe() {
        StringBuilder sb = new StringBuilder("seed " + seed + ":");
        for (Table t : tables) {
            sb.append("\n  ").append(t.id()).append(": ");
            t.columns().forEach(c -> sb.append(c.name()).append(' ').append(c.type().sql())
                    .append(c.defaultSql() == null ? "" : " DEFAULT " + shorten(c.defaultSql())).append("; "));
        }
        return sb.toString();
    }

    private static String shorten(String sql) {
        String line = sql.replaceAll("\\s+", " ");
        return line.length() <= 40 ? line : line.substring(0, 37) + "...";
    }

    /**
     * Every row of {@code table} as {@code to_jsonb} gives it under {@code TimeZone = 'UTC'}, by key. Sets the
     * session's time zone to UTC.
     */
    public static SortedMap<Long, String> sourceRows(Connection connection, TableId table) throws SQLException {
        SortedMap<Long, String> rows = new TreeMap<>();
        try (Statement s = connection.createStatement()) {
            s.execute("SET TimeZone = 'UTC'");
            try (ResultSet rs = s.executeQuery("SELECT id, to_jsonb(t)::text FROM " + table.qualifiedName() + " t")) {
                while (rs.next()) {
                    rows.put(rs.getLong(1), rs.getString(2));
                }
            }
        }
        return rows;
    }
}
