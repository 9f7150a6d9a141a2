-- Extra tables of the pgoutput fixtures (besides SourceSchema's customer, rental, payment and the codec's
-- codec_golden). Run by PgOutputFixtureCapture before it creates the publication and the slot.
CREATE TYPE mpaa_rating AS ENUM ('G', 'PG', 'PG-13', 'R', 'NC-17');

-- The Pagila types beyond customer/rental/payment: an enum (sent as a Type message), text[], tsvector, smallint.
CREATE TABLE pgo_extra (
    id               integer PRIMARY KEY,
    rating           mpaa_rating,
    special_features text[],
    fulltext         tsvector,
    rental_duration  smallint,
    replacement_cost numeric(5,2),
    last_update      timestamp
);

-- Large text stored out of line (EXTERNAL: never compressed inline), logged in full.
CREATE TABLE pgo_toast (id integer PRIMARY KEY, big text, n integer);
ALTER TABLE pgo_toast ALTER COLUMN big SET STORAGE EXTERNAL;
ALTER TABLE pgo_toast REPLICA IDENTITY FULL;

-- Same shape, replica identity DEFAULT: updates leave 'u' markers, deletes carry only the key.
CREATE TABLE pgo_default (id integer PRIMARY KEY, big text, n integer);
ALTER TABLE pgo_default ALTER COLUMN big SET STORAGE EXTERNAL;

-- A table the decoder tests do not keep: its changes must be skipped but still counted in the transaction.
CREATE TABLE pgo_noise (id integer PRIMARY KEY, note text);
ALTER TABLE pgo_noise REPLICA IDENTITY FULL;

CREATE TABLE pgo_truncated (id integer PRIMARY KEY);
ALTER TABLE pgo_truncated REPLICA IDENTITY FULL;
