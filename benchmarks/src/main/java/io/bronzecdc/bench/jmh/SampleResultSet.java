package io.bronzecdc.bench.jmh;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.ResultSet;

/**
 * An in-memory {@link ResultSet} over rows of text values, positioned by {@link #moveTo}: what
 * {@code JdbcRowEncoder} reads in the snapshot ({@code getString} per column, the driver's text transfer) without a
 * database, so the encoding benchmark measures the encoder and not the driver or the network. A dynamic proxy
 * answers {@code getString}, {@code wasNull} and {@code next}; every other method fails, so the benchmark notices
 * should the encoder start to call one.
 */
final class SampleResultSet implements InvocationHandler {
    private final String[][] texts;
    private final ResultSet resultSet;
    private int row;
    private boolean lastWasNull;

    SampleResultSet(String[][] texts) {
        this.texts = texts;
        this.resultSet = (ResultSet) Proxy.newProxyInstance(ResultSet.class.getClassLoader(),
                new Class<?>[] {ResultSet.class}, this);
    }

    ResultSet resultSet() {
        return resultSet;
    }

    void moveTo(int row) {
        this.row = row;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) {
        switch (method.getName()) {
            case "getString" -> {
                String value = texts[row][(Integer) args[0] - 1];
                lastWasNull = value == null;
                return value;
            }
            case "wasNull" -> {
                return lastWasNull;
            }
            case "next" -> {
                row++;
                return row < texts.length;
            }
            default -> throw new UnsupportedOperationException("the sample result set answers getString(int),"
                    + " wasNull() and next() only, not " + method);
        }
    }
}
