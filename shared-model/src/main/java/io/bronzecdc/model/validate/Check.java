package io.bronzecdc.model.validate;

/** The checks a bronze change log must pass (DESIGN.md section 2, invariants 1 to 6). */
public enum Check {
    /** 1. {@code count(*) = count(distinct lsn)}. */
    LSN_UNIQUE("lsn_unique", "every lsn appears once"),
    /** 2a. {@code min(lsn) = 1}. */
    LSN_STARTS_AT_ONE("lsn_starts_at_one", "the first lsn is 1"),
    /** 2b. no lsn missing between min and max. */
    LSN_DENSE("lsn_dense", "no lsn is missing between 1 and max(lsn)"),
    /** 3a. source_lsn never goes back inside one transaction. */
    ORDER_IN_TRANSACTION("order_in_transaction", "inside a transaction, source_lsn never goes back as lsn grows"),
    /** 3b. the rows of one transaction are contiguous in lsn order. */
    TRANSACTION_CONTIGUOUS("transaction_contiguous", "the rows of one transaction are contiguous in lsn order"),
    /** 3c. snapshot rows come before streamed rows. */
    SNAPSHOT_FIRST("snapshot_first", "snapshot rows come before streamed rows"),
    /** 3d. commit times of consecutive transactions do not go back by more than the tolerance. */
    COMMIT_TIME_ORDER("commit_time_order", "commit_ts does not go back between consecutive transactions"),
    /** 4. every full_row is a JSON object. */
    PAYLOAD_OBJECT("payload_object", "every full_row is a JSON object"),
    /** 5a. a source row the folded log lacks. */
    REPLAY_MISSING("replay_missing", "every source row is in the folded log"),
    /** 5b. a folded-log row the source lacks. */
    REPLAY_EXTRA("replay_extra", "every folded-log row is in the source"),
    /** 5c. a row whose folded-log payload differs from the source row. */
    REPLAY_DIFFERENT("replay_different", "every folded-log row equals to_jsonb of its source row"),
    /** 5d. a folded row whose columns, the recorded schema changes applied, are not the source table's. */
    SCHEMA_DRIFT("schema_drift", "every folded-log row, recorded schema changes applied, has the source's columns"),
    /** 6a. {@code now() - max(load_ts)} above the threshold. */
    LAG("lag", "now() - max(load_ts) stays under the lag threshold"),
    /** 6b. the pipeline's replication slot is missing. */
    SLOT_PRESENT("slot_present", "the pipeline's replication slot exists");

    private final String id;
    private final String rule;

    Check(String id, String rule) {
        this.id = id;
        this.rule = rule;
    }

    /** The name reports print and machines match on, for example {@code lsn_dense}. */
    public String id() {
        return id;
    }

    /** The rule in words. */
    public String rule() {
        return rule;
    }
}
