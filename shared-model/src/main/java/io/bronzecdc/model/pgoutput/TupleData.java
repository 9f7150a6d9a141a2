package io.bronzecdc.model.pgoutput;

import java.util.List;

/**
 * The column values of one row as pgoutput sends them ({@code TupleData}), in the relation's column order.
 *
 * @param values one value per column of the relation
 */
public record TupleData(List<TupleValue> values) {
    public TupleData {
        values = List.copyOf(values);
    }

    /** The number of columns. */
    public int size() {
        return values.size();
    }

    /** The value of the column at {@code index} (0-based). */
    public TupleValue get(int index) {
        return values.get(index);
    }
}
