package io.bronzecdc.bench.engine;

import io.bronzecdc.model.event.TableId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The hostile source data of {@link HostileDataIT}: one table per case, each filled with seeded values chosen to break
 * a decoder or a codec (4-byte unicode and control characters, 1 MB TOASTed values, NULL everywhere, numeric and time
 * edge values, 1,000 columns, one large transaction, DDL between changes), and the seeded changes of the streamed
 * phase. It counts the changes it commits per table, which is what each engine's bronze must hold.
 *
 * <p>Runs on one connection with auto-commit off; every case is one or more committed transactions.
 */
final class HostileData {
    static final TableId TEXT = new TableId("public", "h_text");
    static final TableId TOAST = new TableId("public", "h_toast");
    static final TableId NULLS = new TableId("public", "h_nulls");
    static final TableId EDGE = new TableId("public", "h_edge");
    static final TableId WIDE = new TableId("public", "h_wide");
    static final TableId BULK = new TableId("public", "h_bulk");
    static final TableId DDL = new TableId("public", "h_ddl");
    static final TableId KEYS = new TableId("public", "h_keys");
    static final TableId SHAPES = new TableId("public", "h_shapes");
    static final List<TableId> TABLES = List.of(TEXT, TOAST, NULLS, EDGE, WIDE, BULK, DDL, KEYS, SHAPES);

    /** A column of h_text whose own name is hostile (quotes, a space, a 4-byte character). */
    static final String ODD_COLUMN = "nom \"bizarre\" \uD83D\uDE00 ",
            ODD_COLUMN_SQL = "\"nom \"\"bizarre\"\" \uD83D\uDE00 \"";
    /** 15 emoji: 60 bytes, just below PostgreSQL's 63-byte limit for a name. */
    static final String LONG_COLUMN = "\uD83D\uDE00".repeat(15);

    /** Pieces the hostile strings are made of. */
    private static final List<String> PIECES = pieces();

    /** Sizes of one run: short ones in {@code mvn verify}, full ones with {@code -Dbronze.hostile.full=true}. */
    record Sizes(int textRows, int toastRows, int bigValueChars, int wideColumns, int wideRows, int largeTransaction) {
        static Sizes of(boolean full) {
            return full ? new Sizes(2_000, 12, 1 << 20, 1_000, 200, 1_000_000)
                    : new Sizes(40, 2, 1 << 20, 1_000, 3, 20_000);
        }
    }

    private final Connection c;
    private final long seed;
    private final Sizes sizes;
    private final Map<TableId, Long> streamed = new LinkedHashMap<>();
    private final List<String> bigDigests = new ArrayList<>();
    private long nextTextId;
    private long nextToastId;

    HostileData(Connection c, long seed, Sizes sizes) throws SQLException {
        this.c = c;
        this.seed = seed;
        this.sizes = sizes;
        c.setAutoCommit(false);
        TABLES.forEach(t -> streamed.put(t, 0L));
    }

    /** The seed of one case: the run's seed and the case's name, printed with it. */
    long caseSeed(String name) {
        long caseSeed = seed * 31 + name.hashCode();
        System.out.printf("hostile case %-6s seed %d (run seed %d, replay with -Dbronze.hostile.seed=%d)%n", name,
                caseSeed, seed, seed);
        return caseSeed;
    }

    /** Changes committed since {@link #create} per table (the streamed phase's). */
    Map<TableId, Long> streamedChanges() {
        return Map.copyOf(streamed);
    }

    /** md5 of every 1 MB value written to h_toast's {@code big} column. */
    List<String> bigDigests() {
        return List.copyOf(bigDigests);
    }

    /** Creates every table and the snapshot rows, then commits. */
    void create() throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TYPE h_mood AS ENUM ('sad', 'ok', 'happy \uD83D\uDE00', 'a,\"b\"\\c}{', ' ', 'NULL')");
            s.execute("CREATE TYPE h_pair AS (x int, y text)");
            s.execute("CREATE TABLE h_keys (k text PRIMARY KEY, v int)");
            s.execute("CREATE TABLE h_shapes (id bigint PRIMARY KEY, moods h_mood[], pair h_pair, pairs h_pair[],"
                    + " grid text[], ranges tsrange, dates daterange, deep jsonb, \"" + LONG_COLUMN + "\" text)");
            s.execute("CREATE DOMAIN h_positive AS int CHECK (VALUE > 0)");
            s.execute("CREATE TABLE h_text (id bigint PRIMARY KEY, t text, v varchar(64), j jsonb, a text[], "
                    + ODD_COLUMN_SQL + " text)");
            s.execute("CREATE TABLE h_toast (id bigint PRIMARY KEY, note int, big text, big_plain text, bigj jsonb,"
                    + " bytes bytea)");
            // big_plain is stored out of line uncompressed; big compresses, and both are far above the TOAST limit
            s.execute("ALTER TABLE h_toast ALTER COLUMN big_plain SET STORAGE EXTERNAL");
            s.execute("CREATE TABLE h_nulls (id bigint PRIMARY KEY, " + NULL_COLUMNS.stream()
                    .map(col -> col[0] + " " + col[1]).collect(Collectors.joining(", ")) + ")");
            // A negative numeric scale (rounding to thousands) is PostgreSQL 15 and later; before, the same values
            // in a plain precision.
            s.execute("CREATE TABLE h_edge (id bigint PRIMARY KEY, n numeric, n_neg "
                    + (serverVersionNum(s) >= 150000 ? "numeric(6,-3)" : "numeric(9,0)") + ", f4 float4,"
                    + " f8 float8, i2 int2, i4 int4, i8 int8, d date, ts timestamp, tstz timestamptz, tm time,"
                    + " ttz timetz, iv interval, f8a float8[], na numeric[])");
            s.execute("CREATE TABLE h_wide (id bigint PRIMARY KEY, " + IntStream.rangeClosed(1, sizes.wideColumns())
                    .mapToObj(i -> String.format("c%04d %s", i, WIDE_TYPES[i % WIDE_TYPES.length]))
                    .collect(Collectors.joining(", ")) + ")");
            s.execute("CREATE TABLE h_bulk (id bigint PRIMARY KEY, v int, t text)");
            s.execute("CREATE TABLE h_ddl (id bigint PRIMARY KEY, a int, b text, c numeric)");
            for (TableId table : TABLES) {
                s.execute("ALTER TABLE " + table.quoted() + " REPLICA IDENTITY FULL");
            }
        }
        Random text = new Random(caseSeed("text"));
        for (int i = 0; i < sizes.textRows(); i++) {
            insertText(text);
        }
        Random keys = new Random(caseSeed("keys"));
        for (int i = 0; i < 20; i++) {
            insertKey(keys);
        }
        Random toast = new Random(caseSeed("toast"));
        for (int i = 0; i < sizes.toastRows(); i++) {
            insertToast(toast);
        }
        caseSeed("nulls");
        try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO h_nulls (id) VALUES (1)");
            s.execute("INSERT INTO h_nulls VALUES (2, " + NULL_COLUMNS.stream().map(col -> col[2])
                    .collect(Collectors.joining(", ")) + ")");
            s.execute("INSERT INTO h_nulls VALUES (3, " + NULL_COLUMNS.stream().map(col -> col[3])
                    .collect(Collectors.joining(", ")) + ")");
            caseSeed("edge");
            for (int i = 0; i < EDGE_ROWS.size(); i++) {
                s.execute("INSERT INTO h_edge VALUES (" + (i + 1) + ", " + edgeRow(i, s) + ")");
            }
            Random wide = new Random(caseSeed("wide"));
            for (int i = 1; i <= sizes.wideRows(); i++) {
                insertWide(s, wide, i);
            }
            s.execute("INSERT INTO h_wide (id) VALUES (" + (sizes.wideRows() + 1) + ")");
            caseSeed("bulk");
            s.execute("INSERT INTO h_bulk SELECT g, g, 'row ' || g || E'\\t\\\\N' FROM generate_series(1, 10) g");
            caseSeed("ddl");
            s.execute("INSERT INTO h_ddl VALUES (1, 1, 'one', 1.50), (2, 2, E'two\\\\N', NULL)");
            for (int i = 1; i <= SHAPE_ROWS.size(); i++) {
                s.execute("INSERT INTO h_shapes VALUES (" + i + ", " + SHAPE_ROWS.get(i - 1) + ")");
            }
        }
        c.commit();
        TABLES.forEach(t -> streamed.put(t, 0L));
    }

    /** The seeded changes of the streamed phase, every case in its own transactions; counts them per table. */
    void stream() throws SQLException {
        streamText(new Random(caseSeed("text") + 1));
        streamToast(new Random(caseSeed("toast") + 1));
        streamNulls();
        streamEdge();
        streamWide(new Random(caseSeed("wide") + 1));
        streamDdl();
        streamKeys(new Random(caseSeed("keys") + 1));
        streamShapes();
        streamLargeTransaction();
    }

    private void streamText(Random random) throws SQLException {
        for (int tx = 0; tx < 10; tx++) {
            for (int i = 0; i < 3; i++) {
                insertText(random);
            }
            long id = 1 + random.nextInt((int) nextTextId);
            try (PreparedStatement ps = c.prepareStatement("UPDATE h_text SET t = ?, j = j || jsonb_build_object(?::text,"
                    + " ?::text), a = array_append(a, ?) WHERE id = ?")) {
                ps.setString(1, hostile(random, 30));
                ps.setString(2, hostile(random, 8));
                ps.setString(3, hostile(random, 8));
                ps.setString(4, hostile(random, 8));
                ps.setLong(5, id);
                count(TEXT, ps.executeUpdate());
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM h_text WHERE id = ?")) {
                ps.setLong(1, 1 + random.nextInt((int) nextTextId));
                count(TEXT, ps.executeUpdate());
            }
            c.commit();
        }
    }

    /**
     * Updates that leave the TOASTed columns alone (pgoutput sends an unchanged-TOAST marker for each), an update
     * of one of them, an insert and a delete of 1 MB rows.
     */
    private void streamToast(Random random) throws SQLException {
        try (Statement s = c.createStatement()) {
            count(TOAST, s.executeUpdate("UPDATE h_toast SET note = note + 1"));
            c.commit();
            insertToast(random);
            c.commit();
            count(TOAST, s.executeUpdate("UPDATE h_toast SET note = note * 2 WHERE id = " + nextToastId));
            c.commit();
            String big = big(random);
            bigDigests.add(md5(big));
            try (PreparedStatement ps = c.prepareStatement("UPDATE h_toast SET big = ? WHERE id = 1")) {
                ps.setString(1, big);
                count(TOAST, ps.executeUpdate());
            }
            count(TOAST, s.executeUpdate("UPDATE h_toast SET note = -note WHERE id = 1"));
            c.commit();
            count(TOAST, s.executeUpdate("DELETE FROM h_toast WHERE id = " + nextToastId));
            c.commit();
        }
    }

    private void streamNulls() throws SQLException {
        try (Statement s = c.createStatement()) {
            count(NULLS, s.executeUpdate("INSERT INTO h_nulls (id) VALUES (4)"));
            c.commit();
            count(NULLS, s.executeUpdate("UPDATE h_nulls SET " + NULL_COLUMNS.stream().map(col -> col[0] + " = NULL")
                    .collect(Collectors.joining(", ")) + " WHERE id = 2"));
            count(NULLS, s.executeUpdate("UPDATE h_nulls SET " + NULL_COLUMNS.stream()
                    .map(col -> col[0] + " = " + col[2]).collect(Collectors.joining(", ")) + " WHERE id = 1"));
            c.commit();
            count(NULLS, s.executeUpdate("DELETE FROM h_nulls WHERE id = 3"));
            count(NULLS, s.executeUpdate("INSERT INTO h_nulls VALUES (5, " + NULL_COLUMNS.stream().map(col -> col[3])
                    .collect(Collectors.joining(", ")) + ")"));
            count(NULLS, s.executeUpdate("DELETE FROM h_nulls WHERE id = 4"));
            c.commit();
        }
    }

    private void streamEdge() throws SQLException {
        try (Statement s = c.createStatement()) {
            for (int i = 0; i < EDGE_ROWS.size(); i++) {
                count(EDGE, s.executeUpdate("INSERT INTO h_edge VALUES (" + (100 + i) + ", " + edgeRow(i, s)
                        + ")"));
            }
            c.commit();
            // every edge row moves to the next one's values, then the first two are deleted
            for (int i = 0; i < EDGE_ROWS.size(); i++) {
                count(EDGE, s.executeUpdate("UPDATE h_edge t SET (n, n_neg, f4, f8, i2, i4, i8, d, ts, tstz, tm, ttz,"
                        + " iv, f8a, na) = (SELECT n, n_neg, f4, f8, i2, i4, i8, d, ts, tstz, tm, ttz, iv, f8a, na"
                        + " FROM h_edge WHERE id = " + (100 + (i + 1) % EDGE_ROWS.size()) + ") WHERE id = "
                        + (i + 1)));
            }
            c.commit();
            count(EDGE, s.executeUpdate("DELETE FROM h_edge WHERE id IN (100, 101)"));
            c.commit();
        }
    }

    private void streamWide(Random random) throws SQLException {
        try (Statement s = c.createStatement()) {
            insertWide(s, random, sizes.wideRows() + 2);
            count(WIDE, 1);
            count(WIDE, s.executeUpdate("UPDATE h_wide SET c0007 = c0007 || E'\\n' WHERE id <= 2"));
            count(WIDE, s.executeUpdate("UPDATE h_wide SET c" + String.format("%04d", sizes.wideColumns())
                    + " = NULL WHERE id = 1"));
            c.commit();
            count(WIDE, s.executeUpdate("DELETE FROM h_wide WHERE id = " + (sizes.wideRows() + 1)));
            c.commit();
        }
    }

    /**
     * Hostile primary keys: updates of other columns, key changes (each a D and an I in bronze), a key that differs
     * from another only in its Unicode normal form, deletes.
     */
    private void streamKeys(Random random) throws SQLException {
        for (int tx = 0; tx < 6; tx++) {
            insertKey(random);
            List<String> keys = new ArrayList<>();
            try (Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery("SELECT k FROM h_keys"
                    + " ORDER BY k COLLATE \"C\"")) {
                while (rs.next()) {
                    keys.add(rs.getString(1));
                }
            }
            try (PreparedStatement update = c.prepareStatement("UPDATE h_keys SET v = v + 1 WHERE k = ?");
                    PreparedStatement rekey = c.prepareStatement("UPDATE h_keys SET k = ? WHERE k = ?");
                    PreparedStatement delete = c.prepareStatement("DELETE FROM h_keys WHERE k = ?")) {
                update.setString(1, keys.get(random.nextInt(keys.size())));
                count(KEYS, update.executeUpdate());
                String old = keys.get(random.nextInt(keys.size()));
                // keys made by hostile() never hold '#'; the first two differ only in their Unicode normal form (é, e + U+0301)
                String renamed = (tx == 0 ? "\u00e9" : tx == 1 ? "e\u0301" : hostile(random, 1 + random.nextInt(6)))
                        + "#" + tx;
                rekey.setString(1, renamed);
                rekey.setString(2, old);
                count(KEYS, 2 * rekey.executeUpdate());
                String victim = keys.get(random.nextInt(keys.size()));
                delete.setString(1, victim.equals(old) ? renamed : victim);
                count(KEYS, delete.executeUpdate());
            }
            c.commit();
        }
    }

    /** Updates of the enum arrays, composites, multi-dimensional arrays, ranges and deep jsonb; a delete. */
    private void streamShapes() throws SQLException {
        try (Statement s = c.createStatement()) {
            count(SHAPES, s.executeUpdate("UPDATE h_shapes t SET (moods, pair, pairs, grid, ranges, dates, deep) ="
                    + " (SELECT moods, pair, pairs, grid, ranges, dates, deep FROM h_shapes WHERE id = t.id % "
                    + SHAPE_ROWS.size() + " + 1)"));
            c.commit();
            count(SHAPES, s.executeUpdate("INSERT INTO h_shapes VALUES (" + (SHAPE_ROWS.size() + 1) + ", "
                    + SHAPE_ROWS.get(0) + ")"));
            count(SHAPES, s.executeUpdate("DELETE FROM h_shapes WHERE id = 2"));
            c.commit();
        }
    }

    /** ADD COLUMN with and without a default, DROP COLUMN, ALTER COLUMN TYPE, each in a transaction of its own. */
    private void streamDdl() throws SQLException {
        try (Statement s = c.createStatement()) {
            ddlChanges(s, 10);
            s.execute("ALTER TABLE h_ddl ADD COLUMN with_default int DEFAULT 7");
            c.commit();
            ddlChanges(s, 20);
            s.execute("ALTER TABLE h_ddl ADD COLUMN without_default text");
            c.commit();
            ddlChanges(s, 30);
            s.execute("ALTER TABLE h_ddl DROP COLUMN b");
            c.commit();
            ddlChanges(s, 40);
            s.execute("ALTER TABLE h_ddl ALTER COLUMN a TYPE bigint");
            c.commit();
            ddlChanges(s, 50);
            s.execute("ALTER TABLE h_ddl ALTER COLUMN c TYPE text");
            c.commit();
            ddlChanges(s, 60);
            s.execute("ALTER TABLE h_ddl RENAME COLUMN without_default TO \"r\u00e9nam\u00e9 \"\"\uD83D\uDE00\"\"\"");
            c.commit();
            ddlChanges(s, 70);
        }
    }

    /** One transaction: an insert, an update of every row, a delete (of the row inserted before the last DDL). */
    private void ddlChanges(Statement s, int id) throws SQLException {
        count(DDL, s.executeUpdate("INSERT INTO h_ddl (id, a, c) VALUES (" + id + ", " + id + ", " + id + ".25)"));
        count(DDL, s.executeUpdate("UPDATE h_ddl SET a = a + 1"));
        count(DDL, s.executeUpdate("DELETE FROM h_ddl WHERE id = " + (id - 10)));
        c.commit();
    }

    /** One transaction of {@code largeTransaction} changes: half inserts, 30 % updates, 20 % deletes. */
    private void streamLargeTransaction() throws SQLException {
        int inserts = sizes.largeTransaction() / 2;
        try (Statement s = c.createStatement()) {
            count(BULK, s.executeUpdate("INSERT INTO h_bulk SELECT g, g, 'tx ' || g || E'\\u0001\\\\'"
                    + " FROM generate_series(100, " + (99 + inserts) + ") g"));
            count(BULK, s.executeUpdate("UPDATE h_bulk SET v = -v, t = t || E'\\r' WHERE id >= 100 AND id % 5 < 3"));
            count(BULK, s.executeUpdate("DELETE FROM h_bulk WHERE id >= 100 AND id % 5 >= 3"));
            c.commit();
        }
    }

    private void insertText(Random random) throws SQLException {
        long id = ++nextTextId;
        String[] values = new String[11];
        for (int i = 0; i < values.length; i++) {
            values[i] = hostile(random, 1 + random.nextInt(24));
        }
        if (id == 1) {
            values[0] = IntStream.concat(IntStream.rangeClosed(1, 31), IntStream.of(127))
                    .mapToObj(Character::toString).collect(Collectors.joining());
            values[1] = cut(String.join("", PIECES), 60);
        } else if (id == 2) {
            values[0] = "";
            values[1] = "\\N";
            values[7] = "NULL";
            values[8] = "";
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO h_text VALUES (?, ?, ?, jsonb_build_object(?::text,"
                + " ?::text, ?::text, jsonb_build_array(?::text, ?::text, NULL), 'n', ?::text), ARRAY[?, ?, NULL, ?],"
                + " ?)")) {
            ps.setLong(1, id);
            ps.setString(2, values[0]);
            ps.setString(3, values[1].codePoints().limit(64)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString());
            for (int i = 2; i <= 10; i++) {
                ps.setString(i + 2, values[i]);
            }
            ps.setString(13, hostile(random, 5));
            count(TEXT, ps.executeUpdate());
        }
    }

    private void insertKey(Random random) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO h_keys VALUES (?, ?) ON CONFLICT DO NOTHING")) {
            ps.setString(1, hostile(random, 1 + random.nextInt(5)));
            ps.setInt(2, random.nextInt(100));
            count(KEYS, ps.executeUpdate());
        }
    }

    private void insertToast(Random random) throws SQLException {
        long id = ++nextToastId;
        String big = big(random);
        bigDigests.add(md5(big));
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO h_toast VALUES (?, ?, ?, ?,"
                + " jsonb_build_object('k', ?::text, ?::text, 1), convert_to(?, 'UTF8'))")) {
            ps.setLong(1, id);
            ps.setInt(2, (int) id);
            ps.setString(3, big);
            ps.setString(4, cut(big, big.length() / 2) + hostile(random, 10));
            ps.setString(5, big.substring(cut(big, big.length() / 4).length()));
            ps.setString(6, hostile(random, 6));
            ps.setString(7, cut(big, big.length() / 4));
            count(TOAST, ps.executeUpdate());
        }
    }

    private void insertWide(Statement s, Random random, int id) throws SQLException {
        int columns = sizes.wideColumns();
        StringBuilder sql = new StringBuilder("INSERT INTO h_wide VALUES (").append(id);
        for (int i = 1; i <= columns; i++) {
            sql.append(", ").append(random.nextInt(20) == 0 ? "NULL" : wideValue(i, random));
        }
        s.executeUpdate(sql.append(")").toString());
    }

    private static String wideValue(int column, Random random) {
        int n = random.nextInt(1000);
        return switch (WIDE_TYPES[column % WIDE_TYPES.length]) {
            case "int4" -> Integer.toString(n - 500);
            case "text" -> "E'\\\\" + n + "'";
            case "bool" -> Boolean.toString(n % 2 == 0);
            case "numeric" -> n + ".5";
            case "date" -> "'2026-01-01'::date + " + n;
            case "float4" -> "'" + (n / 8.0) + "'";
            case "int2" -> Integer.toString(n);
            case "varchar(8)" -> "'\u00e9" + n + "'";
            case "jsonb" -> "'{\"k\": " + n + "}'";
            default -> "'\uD83D\uDE00'";
        };
    }

    private String big(Random random) {
        StringBuilder text = new StringBuilder(sizes.bigValueChars());
        while (text.length() < sizes.bigValueChars() - 8) {
            text.append(random.nextInt(8) == 0 ? PIECES.get(random.nextInt(PIECES.size()))
                    : Character.toString('a' + random.nextInt(26)));
        }
        return text.toString();
    }

    /** The first {@code chars} chars of {@code text}, one fewer where that would split a surrogate pair. */
    private static String cut(String text, int chars) {
        return text.substring(0, Character.isLowSurrogate(text.charAt(chars)) ? chars - 1 : chars);
    }

    private void count(TableId table, int rows) {
        streamed.merge(table, (long) rows, Long::sum);
    }

    /** A string of {@code pieces} hostile pieces. */
    static String hostile(Random random, int pieces) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            text.append(PIECES.get(random.nextInt(PIECES.size())));
        }
        return text.toString();
    }

    private static String md5(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> pieces() {
        List<String> pieces = new ArrayList<>(List.of(
                "\uD83D\uDE00", "\uD83D\uDC69\u200D\uD83D\uDC69\u200D\uD83D\uDC67", "\uD83C\uDDFA\uD83C\uDDE6",
                "\uD841\uDF0E", "\uD869\uDEA5", "\uD840\uDC0B", "e\u0301", "a\u0308\u0323\u0336", "\u05E9\u05DC\u05D5\u05DD",
                "\u0645\u0631\u062D\u0628\u0627", "\u202Eevil\u202C", "\u200F", "\u200B", "\uFEFF", "\uFFFD", "\uFFFF",
                "\u2028", "\u2029", "\u00A0", "\u00DF", "\u0130", "\\", "\\\\", "\\N", "\\.", "\\x00", "\\u0000",
                "\\t", "'", "\"", "''", "`", "\t", "\n", "\r\n", "\r", " ", "NULL", "null", ",", "{", "}", "\"{a,b}\"",
                "[", "]", "(", ")", ":", "=>", "$$", "%", "_", "a", "Z", "0"));
        IntStream.concat(IntStream.rangeClosed(1, 31), IntStream.of(127)).forEach(ch -> pieces.add(Character.toString(ch)));
        return List.copyOf(pieces);
    }

    private static final String[] WIDE_TYPES = {"int4", "text", "bool", "numeric", "date", "float4", "int2",
        "varchar(8)", "jsonb", "char(1)"};

    /** Nullable columns of h_nulls: name, type, a value, another value (with NULL inside where the type can). */
    private static final List<String[]> NULL_COLUMNS = List.of(
            new String[] {"t", "text", "'x'", "''"},
            new String[] {"vc", "varchar(10)", "'NULL'", "'null'"},
            new String[] {"ch", "char(3)", "'a'", "' '"},
            new String[] {"i2", "int2", "1", "0"},
            new String[] {"i4", "int4", "2", "-1"},
            new String[] {"i8", "int8", "3", "0"},
            new String[] {"nm", "numeric(10,2)", "4.50", "0"},
            new String[] {"f4", "float4", "1.5", "'-0'"},
            new String[] {"f8", "float8", "2.25", "'NaN'"},
            new String[] {"b", "bool", "true", "false"},
            new String[] {"d", "date", "'2026-12-02'", "'infinity'"},
            new String[] {"tm", "time", "'12:00:00'", "'24:00:00'"},
            new String[] {"ttz", "timetz", "'12:00:00+02'", "'00:00:00-12'"},
            new String[] {"ts", "timestamp", "'2026-12-02 12:00:00'", "'-infinity'"},
            new String[] {"tstz", "timestamptz", "'2026-12-02 12:00:00+00'", "'infinity'"},
            new String[] {"iv", "interval", "'1 day'", "'0'"},
            new String[] {"by", "bytea", "'\\x00ff'", "''"},
            new String[] {"u", "uuid", "'00000000-0000-0000-0000-000000000000'", "'ffffffff-ffff-ffff-ffff-ffffffffffff'"},
            new String[] {"js", "json", "'{\"a\": null}'", "'null'"},
            new String[] {"jb", "jsonb", "'{\"a\": null}'", "'null'"},
            new String[] {"ta", "text[]", "ARRAY['NULL', NULL, '']", "ARRAY[NULL]::text[]"},
            new String[] {"ia", "int4[]", "'{1,NULL,3}'", "'{}'"},
            new String[] {"ip", "inet", "'127.0.0.1'", "'::1'"},
            new String[] {"cd", "cidr", "'10.0.0.0/8'", "'::/0'"},
            new String[] {"mac", "macaddr", "'08:00:2b:01:02:03'", "'00:00:00:00:00:00'"},
            new String[] {"bt", "bit(3)", "B'101'", "B'000'"},
            new String[] {"vb", "varbit", "B'0010'", "B''"},
            new String[] {"m", "money", "'1.50'", "'-0.01'"},
            new String[] {"pt", "point", "'(1,2)'", "'(-0,0)'"},
            new String[] {"tr", "tsrange", "'[2026-01-01,2026-02-01)'", "'empty'"},
            new String[] {"tzr", "tstzrange", "'[2026-01-01 00:00+00,)'", "'(,)'"},
            new String[] {"x", "xml", "'<a>1</a>'", "''"},
            new String[] {"e", "h_mood", "'ok'", "'happy \uD83D\uDE00'"},
            new String[] {"cp", "h_pair", "ROW(1, 'a')", "ROW(NULL, NULL)"},
            new String[] {"dm", "h_positive", "1", "2147483647"},
            new String[] {"ea", "h_mood[]", "ARRAY['sad'::h_mood, NULL]", "'{}'"});

    /** Rows of h_shapes (all but the key); the deep jsonb nests 1,500 levels (Jackson's default limit is 1,000). */
    private static final List<String> SHAPE_ROWS = List.of(
            "ARRAY['a,\"b\"\\c}{', ' ', 'NULL', NULL]::h_mood[], ROW(1, E'a,\"b\\\\c)\\n(')::h_pair,"
                    + " ARRAY[ROW(NULL, ''), ROW(2, 'NULL'), NULL]::h_pair[],"
                    + " ARRAY[[E'a,b', '\"'], [E'\\\\', NULL], ['NULL', '']], '[-infinity,infinity)',"
                    + " '[4713-01-01 BC,5874897-12-30]', (repeat('[', 1500) || '\"\uD83D\uDE00\"' || repeat(']', 1500))::jsonb,"
                    + " E'\\x01'",
            "'{}'::h_mood[], ROW(NULL, NULL)::h_pair, '{}'::h_pair[], '{}'::text[], 'empty', 'empty',"
                    + " '{\"\": {\"\": [null, \"\", {}]}}', NULL",
            "ARRAY['happy \uD83D\uDE00']::h_mood[], ROW(-1, E'\\t')::h_pair, ARRAY[ROW(3, E'}\\r{')]::h_pair[],"
                    + " ARRAY[[[E'\\u0001']]], '(,)', '(,2000-01-01)', '[[[[[]]]]]', ''");

    /**
     * Rows of h_edge (all but the key): n, n_neg, f4, f8, i2, i4, i8, d, ts, tstz, tm, ttz, iv, f8a, na.
     */
    private static final List<String> EDGE_ROWS = edgeRows();

    private static List<String> edgeRows() {
        String thousandDigits = "'" + "1234567890".repeat(50) + "." + "0987654321".repeat(50) + "'";
        return List.of(
                "'NaN', 123456789, 'NaN', 'NaN', -32768, -2147483648, -9223372036854775808, '-infinity', '-infinity',"
                        + " '-infinity', '00:00:00', '00:00:00+15:59', '-178000000 years', '{NaN,Infinity,-Infinity}',"
                        + " '{NaN,Infinity,-Infinity,NULL}'",
                "'Infinity', -999999000, 'Infinity', 'Infinity', 32767, 2147483647, 9223372036854775807, 'infinity',"
                        + " 'infinity', 'infinity', '24:00:00', '24:00:00-15:59', '178000000 years', '{-0,0}',"
                        + " '{-0.000,1e-300}'",
                "'-Infinity', -0.4, '-Infinity', '-Infinity', 0, 0, 0, '4713-01-01 BC', '4713-01-01 00:00:00 BC',"
                        + " '4713-01-01 00:00:00+00 BC', '23:59:59.999999', '23:59:59.999999+05:30',"
                        + " '1 year 2 mons 3 days 04:05:06.000007', '{4.9e-324,-4.9e-324}', '{}'",
                thousandDigits + ", 499, '-0', '-0', 1, 1, 1, '5874897-12-31', '294276-12-31 23:59:59.999999',"
                        + " '294276-12-31 23:59:59.999999+00', '24:00:00', '12:34:56.789-00:30',"
                        + " '-1 mons +1 days -00:00:00.000001', '{1.7976931348623157e308,2.2250738585072014e-308}',"
                        + " ARRAY[" + thousandDigits + "]::numeric[]",
                "1e-300, 500, '1.4e-45', '4.9e-324', -1, -1, -1, '0044-03-15 BC', '0001-01-01 00:00:00 BC',"
                        + " '1582-10-14 12:00:00+00', '00:00:00.000001', '00:00:00+00', '0.000001 seconds',"
                        + " '{2.2250738585072014e-308}', '{-1e-300}'",
                "-1e-300, -500, '3.4028235e38', '-1.7976931348623157e308', 2, 2, 2, '1582-10-04', '1582-10-15 00:00:00',"
                        + " '2024-03-31 02:30:00.5+14', '12:00:00', '12:00:00-15:59', IV_INFINITY, NULL, NULL",
                "'9.999e1000', 0, '1.17549435e-38', '2.2250738585072014e-308', 3, 3, 3, '2000-02-29', '1999-12-31 23:59:60',"
                        + " '1970-01-01 00:00:00+00', '00:00:00', '00:00:00-00:01', -IV_INFINITY, '{}', '{}'",
                "-0.000000000000000000000000000001, 1499, '-1.4e-45', '-2.2250738585072014e-308', 4, 4, 4,"
                        + " '0001-01-01', '0001-01-01 00:00:00', '0001-01-01 00:00:00+00', '23:59:59', '23:59:59+14:59',"
                        + " '-2147483647 days -2147483647 mons', '{NULL}', '{NULL}'");
    }
    /**
     * Row {@code i} of {@link #EDGE_ROWS} as this server takes it: an infinite interval is PostgreSQL 17 and later;
     * before, the largest finite one stands in.
     */
    private static String edgeRow(int i, Statement s) throws SQLException {
        String infinity = serverVersionNum(s) >= 170000 ? "'infinity'::interval" : "'178000000 years'::interval";
        return EDGE_ROWS.get(i).replace("IV_INFINITY", infinity);
    }

    private static int serverVersionNum(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
