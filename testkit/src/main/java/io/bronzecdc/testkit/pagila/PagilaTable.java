package io.bronzecdc.testkit.pagila;

import io.bronzecdc.model.event.TableId;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The three Pagila tables the demo, the tests and the benchmarks capture, with the column order of their COPY
 * files and their primary keys.
 */
public enum PagilaTable {
    CUSTOMER("customer", List.of("customer_id"), List.of("customer_id", "store_id", "first_name", "last_name",
            "email", "address_id", "activebool", "create_date", "last_update", "active")),
    PAYMENT("payment", List.of("payment_date", "payment_id"), List.of("payment_id", "customer_id", "staff_id",
            "rental_id", "amount", "payment_date")),
    RENTAL("rental", List.of("rental_id"), List.of("rental_id", "rental_date", "inventory_id", "customer_id",
            "return_date", "staff_id", "last_update"));

    private final TableId id;
    private final List<String> primaryKey;
    private final List<String> columns;

    PagilaTable(String name, List<String> primaryKey, List<String> columns) {
        this.id = TableId.of(name);
        this.primaryKey = primaryKey;
        this.columns = columns;
    }

    /** The source table, in schema {@code public}. */
    public TableId id() {
        return id;
    }

    /** Primary key columns, as Pagila defines them. */
    public List<String> primaryKey() {
        return primaryKey;
    }

    /** Columns in the order of the COPY file and of the table definition. */
    public List<String> columns() {
        return columns;
    }

    /** The COPY file name under a Pagila directory, for example {@code payment.copy}. */
    public String fileName() {
        return id.name() + ".copy";
    }

    /** {@code COPY public.<t> (<columns>) FROM STDIN}: COPY text format. */
    String copyInStatement() {
        return "COPY " + id.qualifiedName() + " (" + String.join(", ", columns) + ") FROM STDIN";
    }

    /** The table of this name ({@code payment} or {@code public.payment}), if it is one of the three. */
    public static Optional<PagilaTable> byName(String name) {
        return Arrays.stream(values()).filter(t -> t.id.name().equals(name) || t.id.qualifiedName().equals(name))
                .findFirst();
    }
}
