package io.bronzecdc.model.validate;

import java.sql.SQLException;
import java.util.Comparator;
import java.util.Objects;

/**
 * Compares two row streams in one pass: the folded bronze log and the source table, each sorted by its row key in
 * code point order (what PostgreSQL's {@code COLLATE "C"} gives for UTF-8 text). The streams may come from two
 * databases; neither is held in memory. Equal keys are paired one to one, so streams with repeated keys (a
 * multiset, where the key is the whole row) compare as multisets.
 */
final class SortedRowComparison {
    /** Code point order, which is the byte order of UTF-8 and so the order of {@code COLLATE "C"}. */
    static final Comparator<String> CODE_POINT_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    };

    private SortedRowComparison() {
    }

    /**
     * One row of a stream.
     *
     * @param key the row's key as text; the stream is sorted by it
     * @param row the row as {@code jsonb} text
     * @param lsn the bronze lsn the row comes from (0 for a source row)
     */
    record Row(String key, String row, long lsn) {
        Row {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(row, "row");
        }

        String describe() {
            return lsn == 0 ? key : key + " (lsn " + lsn + ")";
        }
    }

    /** A sorted stream of rows. */
    @FunctionalInterface
    interface RowCursor {
        /** The next row, or null at the end. */
        Row next() throws SQLException;
    }

    /**
     * How a folded row and the source row of the same key compare.
     *
     * @param different their values differ (on the columns both have)
     * @param drifted their columns differ: one has a column the other lacks (a schema change without an event)
     */
    record Verdict(boolean different, boolean drifted) {
        static final Verdict SAME = new Verdict(false, false);
    }

    /** Compares a folded row and the source row of the same key. */
    @FunctionalInterface
    interface RowEquality {
        Verdict compare(String folded, String source);
    }

    /**
     * Counts and first example of each kind of difference.
     *
     * @param missing source rows without a folded row
     * @param firstMissing the first of them in key order, or null
     * @param extra folded rows without a source row
     * @param firstExtra the first of them, or null
     * @param different keys present on both sides with different rows
     * @param firstDifferent the first of them, or null
     * @param drifted keys present on both sides whose rows have different columns
     * @param firstDrifted the first of them, or null
     */
    record Result(long missing, String firstMissing, long extra, String firstExtra, long different,
            String firstDifferent, long drifted, String firstDrifted) {
    }

    /**
     * Walks both streams once.
     *
     * @throws IllegalStateException when a stream is not sorted (a wrong collation would report false differences)
     */
    static Result compare(RowCursor folded, RowCursor source, RowEquality equality) throws SQLException {
        Tally missing = new Tally();
        Tally extra = new Tally();
        Tally different = new Tally();
        Tally drifted = new Tally();
        Row f = folded.next();
        Row s = source.next();
        String lastF = null;
        String lastS = null;
        while (f != null || s != null) {
            int order = f == null ? 1 : s == null ? -1 : CODE_POINT_ORDER.compare(f.key(), s.key());
            if (order < 0) {
                extra.add(f.describe());
            } else if (order > 0) {
                missing.add(s.describe());
            } else if (!f.row().equals(s.row())) {
                Verdict verdict = equality.compare(f.row(), s.row());
                if (verdict.different()) {
                    different.add(f.describe());
                }
                if (verdict.drifted()) {
                    drifted.add(f.describe());
                }
            }
            if (order <= 0) {
                lastF = requireSorted("folded log", lastF, f.key());
                f = folded.next();
            }
            if (order >= 0) {
                lastS = requireSorted("source", lastS, s.key());
                s = source.next();
            }
        }
        return new Result(missing.count, missing.first, extra.count, extra.first, different.count, different.first,
                drifted.count, drifted.first);
    }

    private static String requireSorted(String stream, String previous, String key) {
        if (previous != null && CODE_POINT_ORDER.compare(previous, key) > 0) {
            throw new IllegalStateException("the " + stream + " rows are not sorted by key in code point order ("
                    + previous + " before " + key + "): the query must order by the key text COLLATE \"C\"");
        }
        return key;
    }

    private static final class Tally {
        private long count;
        private String first;

        void add(String example) {
            if (count++ == 0) {
                first = example;
            }
        }
    }
}
