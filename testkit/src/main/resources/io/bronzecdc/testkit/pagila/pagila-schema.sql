-- Source tables customer, rental and payment with Pagila's columns and types (the project's own DDL).
-- payment is range-partitioned by month on payment_date, like Pagila: 2022-01 .. 2022-07.
-- Idempotent: every statement may run again on an existing schema.

CREATE SEQUENCE IF NOT EXISTS public.customer_customer_id_seq;
CREATE TABLE IF NOT EXISTS public.customer (
    customer_id integer NOT NULL DEFAULT nextval('public.customer_customer_id_seq'),
    store_id    integer NOT NULL,
    first_name  text    NOT NULL,
    last_name   text    NOT NULL,
    email       text,
    address_id  integer NOT NULL,
    activebool  boolean NOT NULL DEFAULT true,
    create_date date    NOT NULL DEFAULT CURRENT_DATE,
    last_update timestamptz DEFAULT now(),
    active      integer,
    CONSTRAINT customer_pkey PRIMARY KEY (customer_id)
);
ALTER SEQUENCE public.customer_customer_id_seq OWNED BY public.customer.customer_id;

CREATE SEQUENCE IF NOT EXISTS public.rental_rental_id_seq;
CREATE TABLE IF NOT EXISTS public.rental (
    rental_id    integer     NOT NULL DEFAULT nextval('public.rental_rental_id_seq'),
    rental_date  timestamptz NOT NULL,
    inventory_id integer     NOT NULL,
    customer_id  integer     NOT NULL,
    return_date  timestamptz,
    staff_id     integer     NOT NULL,
    last_update  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT rental_pkey PRIMARY KEY (rental_id)
);
ALTER SEQUENCE public.rental_rental_id_seq OWNED BY public.rental.rental_id;

CREATE SEQUENCE IF NOT EXISTS public.payment_payment_id_seq;
CREATE TABLE IF NOT EXISTS public.payment (
    payment_id   integer      NOT NULL DEFAULT nextval('public.payment_payment_id_seq'),
    customer_id  integer      NOT NULL,
    staff_id     integer      NOT NULL,
    rental_id    integer      NOT NULL,
    amount       numeric(5,2) NOT NULL,
    payment_date timestamptz  NOT NULL,
    CONSTRAINT payment_pkey PRIMARY KEY (payment_date, payment_id)
) PARTITION BY RANGE (payment_date);
ALTER SEQUENCE public.payment_payment_id_seq OWNED BY public.payment.payment_id;

CREATE TABLE IF NOT EXISTS public.payment_p2022_01 PARTITION OF public.payment
    FOR VALUES FROM ('2022-01-01 00:00:00+00') TO ('2022-02-01 00:00:00+00');
CREATE TABLE IF NOT EXISTS public.payment_p2022_02 PARTITION OF public.payment
    FOR VALUES FROM ('2022-02-01 00:00:00+00') TO ('2022-03-01 00:00:00+00');
CREATE TABLE IF NOT EXISTS public.payment_p2022_03 PARTITION OF public.payment
    FOR VALUES FROM ('2022-03-01 00:00:00+00') TO ('2022-04-01 00:00:00+00');
CREATE TABLE IF NOT EXISTS public.payment_p2022_04 PARTITION OF public.payment
    FOR VALUES FROM ('2022-04-01 00:00:00+00') TO ('2022-05-01 00:00:00+00');
CREATE TABLE IF NOT EXISTS public.payment_p2022_05 PARTITION OF public.payment
    FOR VALUES FROM ('2022-05-01 00:00:00+00') TO ('2022-06-01 00:00:00+00');
CREATE TABLE IF NOT EXISTS public.payment_p2022_06 PARTITION OF public.payment
    FOR VALUES FROM ('2022-06-01 00:00:00+00') TO ('2022-07-01 00:00:00+00');
CREATE TABLE IF NOT EXISTS public.payment_p2022_07 PARTITION OF public.payment
    FOR VALUES FROM ('2022-07-01 00:00:00+00') TO ('2022-08-01 00:00:00+00');
