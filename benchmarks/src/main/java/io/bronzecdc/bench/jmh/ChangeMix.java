package io.bronzecdc.bench.jmh;

/**
 * The kinds of a benchmark's changes in stream order: of every 20 changes, 10 inserts, 7 updates that keep the key
 * and 3 deletes, like an OLTP table's mix. Change {@code k} touches sample row {@code k % ROWS}; an update's new
 * values are those of the next row, under the same key.
 */
enum ChangeMix {
    INSERT, UPDATE, DELETE;

    static ChangeMix of(int k) {
        int slot = k % 20;
        return slot < 10 ? INSERT : slot < 17 ? UPDATE : DELETE;
    }

    /** The bronze {@code op} the change becomes. */
    char op() {
        return name().charAt(0);
    }
}
