package io.bronzecdc.bench.jmh;

import io.bronzecdc.model.codec.CanonicalRowWriter;
import io.bronzecdc.model.codec.JdbcRowEncoder;
import io.bronzecdc.model.codec.PgTextRowWriter;
import io.bronzecdc.model.codec.PgType;
import io.bronzecdc.model.codec.ValueShape;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The canonical {@code full_row} of one row (rows/s), the step every engine runs once per change:
 * <ul>
 *   <li>{@code snapshotResultSet}: {@link JdbcRowEncoder} as the snapshot reader uses it (each column's text through
 *       {@code ResultSet.getString}, rendered by its type's shape), over an in-memory result set
 *       ({@link SampleResultSet}; the driver's own work is left out);</li>
 *   <li>{@code javaValues}: {@link CanonicalRowWriter#value} from the Java values JDBC and Debezium hand over
 *       (BigDecimal, java.time, byte[], lists for arrays);</li>
 *   <li>{@code pgoutputText}: {@link CanonicalRowWriter#textValue(String, ValueShape, String)} from PostgreSQL's text
 *       output as Strings, the pgoutput decoder's per-column path for what it does not read in place;</li>
 *   <li>{@code pgoutputBytes}: {@link PgTextRowWriter} from the same text output as UTF-8 bytes, the pgoutput
 *       decoder's per-column path for values read in place from the message.</li>
 * </ul>
 * All four give the same JSON for the same row ({@code JmhBenchmarksTest} checks it).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class CanonicalEncodingBenchmark {
    /** {@code payment}: Pagila's six columns; {@code wide-n}: n columns of every sample type, NULLs included. */
    @Param({"payment", "wide-24", "wide-96"})
    String table;

    private final CanonicalRowWriter writer = new CanonicalRowWriter();
    private String[] names;
    private PgType[] types;
    private ValueShape[] shapes;
    private Object[][] jdbcValues;
    private String[][] texts;
    private byte[][][] utf8Texts;
    private final PgTextRowWriter bytesWriter = new PgTextRowWriter();
    private PgTextRowWriter.Column[] bytesColumns;
    private SampleResultSet resultSet;
    private JdbcRowEncoder encoder;
    private int next;

    @Setup
    public void setUp() {
        SampleTable sample = SampleTable.of(table);
        int n = sample.columnCount();
        names = sample.columns().toArray(String[]::new);
        types = new PgType[n];
        shapes = new ValueShape[n];
        List<ValueShape.Field> fields = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            SampleType type = sample.types().get(i);
            types[i] = type.pgType();
            shapes[i] = type.shape();
            fields.add(new ValueShape.Field(names[i], shapes[i]));
        }
        jdbcValues = new Object[SampleTable.ROWS][n];
        for (int r = 0; r < SampleTable.ROWS; r++) {
            for (int i = 0; i < n; i++) {
                jdbcValues[r][i] = sample.types().get(i).jdbcValue(sample.rows().get(r)[i]);
            }
        }
        texts = sample.texts();
        utf8Texts = new byte[texts.length][][];
        for (int r = 0; r < texts.length; r++) {
            utf8Texts[r] = new byte[n][];
            for (int i = 0; i < n; i++) {
                utf8Texts[r][i] = texts[r][i] == null ? null : texts[r][i].getBytes(StandardCharsets.UTF_8);
            }
        }
        bytesColumns = new PgTextRowWriter.Column[n];
        for (int i = 0; i < n; i++) {
            bytesColumns[i] = PgTextRowWriter.column(names[i], shapes[i]);
        }
        resultSet = new SampleResultSet(texts);
        encoder = JdbcRowEncoder.of(fields);
    }

    @Benchmark
    public String snapshotResultSet() throws SQLException {
        resultSet.moveTo(nextRow());
        return encoder.encode(resultSet.resultSet(), writer);
    }

    @Benchmark
    public String javaValues() {
        Object[] row = jdbcValues[nextRow()];
        writer.begin();
        for (int i = 0; i < row.length; i++) {
            writer.value(names[i], types[i], row[i]);
        }
        return writer.end();
    }

    @Benchmark
    public String pgoutputText() {
        String[] row = texts[nextRow()];
        writer.begin();
        for (int i = 0; i < row.length; i++) {
            writer.textValue(names[i], shapes[i], row[i]);
        }
        return writer.end();
    }

    @Benchmark
    public String pgoutputBytes() {
        byte[][] row = utf8Texts[nextRow()];
        bytesWriter.begin();
        for (int i = 0; i < row.length; i++) {
            if (row[i] == null) {
                bytesWriter.nullValue(bytesColumns[i]);
            } else {
                bytesWriter.text(bytesColumns[i], row[i], 0, row[i].length);
            }
        }
        return bytesWriter.end();
    }

    private int nextRow() {
        return next++ & (SampleTable.ROWS - 1);
    }
}
