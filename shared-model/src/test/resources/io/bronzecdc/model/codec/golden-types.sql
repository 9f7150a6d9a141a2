-- Every type Pagila uses, and the edges the canonical codec must get right. One row per edge family.
CREATE TABLE codec_golden (
    id     integer PRIMARY KEY,
    i2     smallint,
    i4     integer,
    i8     bigint,
    n52    numeric(5,2),
    nbig   numeric,
    nscale numeric(38,10),
    b      boolean,
    t      text,
    vc     varchar(40),
    ch     char(5),
    d      date,
    ts     timestamp,
    tstz   timestamptz,
    tm     time,
    tmtz   timetz,
    ba     bytea,
    j      json,
    jb     jsonb,
    ia     integer[],
    ta     text[],
    ia2    integer[][],
    u      uuid,
    f8     double precision
);

-- 1: NULL in every column
INSERT INTO codec_golden (id) VALUES (1);

-- 2: lower extremes, unicode, quotes and backslashes, micros and an odd offset
INSERT INTO codec_golden VALUES (2, -32768, -2147483648, -9223372036854775808, -999.99,
    '-123456789012345678901234567890.123456789012345678901234567890', '0.0000000001', true,
    E'Zoë 日本語 🎉 \u00e9', E'quote " and \\ backslash', 'ab', '2022-02-14',
    '2022-01-29 01:58:52.222594', '2022-01-29 01:58:52.222594+05:30', '23:59:59.999999', '01:02:03+05:30',
    '\x00ff10', '{"b": 1, "a": [1, 2, {"c": null}]}', '{"z": "é", "a": 1.50, "n": null}',
    '{1,NULL,3}', '{"a b","c,d","quote\"","back\\slash",NULL,"NULL",""}', '{{1,2},{3,4}}',
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 1.5);

-- 3: upper extremes, trailing zeros, newlines and control characters, empty values, whole-second times
INSERT INTO codec_golden VALUES (3, 32767, 2147483647, 9223372036854775807, 0.10,
    '99999999999999999999999999999999999999.5', '12345678901234567890.1234567890', false,
    E'line1\nline2\ttab\r\u0001 control', '', '', '0001-01-01',
    '2000-01-01 00:00:00', '1999-12-31 23:59:59.5-09:30', '00:00:00', '23:59:59.000001-00:30',
    '\x', '[]', '{}', '{}', '{}', '{}',
    '00000000-0000-0000-0000-000000000000', 1e-7);

-- 4: special values: NaN, infinities, LMT-style offset with seconds, far dates
INSERT INTO codec_golden VALUES (4, 0, 0, 0, 0,
    'NaN', '-0.5', NULL,
    'NULL', 'null', 'x', 'infinity',
    '-infinity', 'infinity', '12:00:00.1', '12:00:00+00',
    '\xdeadbeef', '"just a string"', '[1, "two", true, null, 3.14]', '{-1,0,2147483647}', '{"{braces}"}', '{{NULL}}',
    NULL, 'NaN');

-- 5: more timestamps: historic offset with seconds, a leap day, far future
INSERT INTO codec_golden (id, d, ts, tstz, nbig) VALUES (5, '2024-02-29', '9999-12-31 23:59:59.999999',
    '1900-01-01 00:00:00+00:53:28', 'Infinity');
