-- bronze-cdc schema-change capture (installed by --init, needs a superuser; safe to run again).
-- pgoutput carries no DDL. These event triggers emit, for every ALTER TABLE of a published table (any
-- publication), one transactional logical decoding message with prefix 'bronze-cdc' and a JSON object:
-- {"event": "schema_change", "schema", "table", "command_tag", "ddl" (the statement's query text),
--  "columns_before": [{"name", "type", "attnum"}], "columns": [{"name", "type", "attnum", "missing"?}]}.
-- "missing" is what rows older than the column read for it (to_jsonb under UTC), present when PostgreSQL stores
-- one (ADD COLUMN with a non-volatile default). The message sits in the DDL's transaction, so the engines get
-- it in order with the rows. The functions run as their owner (SECURITY DEFINER), so a table owner without
-- superuser rights can still alter the table; they cannot be called other than as event triggers.
-- Uninstall: DROP EVENT TRIGGER bronze_cdc_schema_changes; DROP EVENT TRIGGER bronze_cdc_columns_before;
-- DROP SCHEMA bronze_cdc CASCADE;
CREATE SCHEMA IF NOT EXISTS bronze_cdc;
CREATE OR REPLACE FUNCTION bronze_cdc.captured_columns(rel oid) RETURNS jsonb LANGUAGE sql STABLE AS $f$
  SELECT coalesce(jsonb_agg(jsonb_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
      'attnum', a.attnum) ORDER BY a.attnum), '[]'::jsonb)
  FROM pg_catalog.pg_attribute a WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped
$f$;
CREATE OR REPLACE FUNCTION bronze_cdc.remember_columns() RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
BEGIN
  PERFORM pg_catalog.set_config('bronze_cdc.columns_before', (
      SELECT coalesce(jsonb_object_agg(c.oid::text, bronze_cdc.captured_columns(c.oid)), '{}'::jsonb)::text
      FROM (SELECT DISTINCT p.oid FROM pg_catalog.pg_publication_tables t
            JOIN pg_catalog.pg_namespace n ON n.nspname = t.schemaname
            JOIN pg_catalog.pg_class p ON p.relnamespace = n.oid AND p.relname = t.tablename) c), true);
END
$f$;
CREATE OR REPLACE FUNCTION bronze_cdc.emit_schema_change() RETURNS event_trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET TimeZone = 'UTC' AS $f$
DECLARE
  r record;
  a record;
  before jsonb := coalesce(nullif(current_setting('bronze_cdc.columns_before', true), '')::jsonb, '{}'::jsonb);
  columns jsonb;
  missing jsonb;
BEGIN
  FOR r IN SELECT DISTINCT c.objid AS rel, c.command_tag, n.nspname, t.relname
      FROM pg_event_trigger_ddl_commands() c
      JOIN pg_class t ON t.oid = c.objid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE c.classid = 'pg_catalog.pg_class'::regclass AND t.relkind IN ('r', 'p')
        AND EXISTS (SELECT 1 FROM pg_publication_tables p WHERE p.schemaname = n.nspname AND p.tablename = t.relname)
  LOOP
    columns := '[]'::jsonb;
    FOR a IN SELECT attname, attnum, format_type(atttypid, atttypmod) AS typ, atthasmissing,
        attmissingval::text AS val FROM pg_attribute
        WHERE attrelid = r.rel AND attnum > 0 AND NOT attisdropped ORDER BY attnum
    LOOP
      missing := NULL;
      IF a.atthasmissing THEN
        EXECUTE format('SELECT to_jsonb((%L::%s[])[1])', a.val, a.typ) INTO missing;
      END IF;
      columns := columns || jsonb_build_array(jsonb_strip_nulls(jsonb_build_object('name', a.attname,
          'type', a.typ, 'attnum', a.attnum)) || CASE WHEN a.atthasmissing
          THEN jsonb_build_object('missing', missing) ELSE '{}'::jsonb END);
    END LOOP;
    PERFORM pg_logical_emit_message(true, 'bronze-cdc', jsonb_build_object(
        'event', 'schema_change', 'schema', r.nspname, 'table', r.relname, 'command_tag', r.command_tag,
        'ddl', current_query(), 'columns_before', before -> r.rel::text, 'columns', columns)::text);
  END LOOP;
END
$f$;
DROP EVENT TRIGGER IF EXISTS bronze_cdc_columns_before;
CREATE EVENT TRIGGER bronze_cdc_columns_before ON ddl_command_start WHEN TAG IN ('ALTER TABLE')
  EXECUTE FUNCTION bronze_cdc.remember_columns();
DROP EVENT TRIGGER IF EXISTS bronze_cdc_schema_changes;
CREATE EVENT TRIGGER bronze_cdc_schema_changes ON ddl_command_end WHEN TAG IN ('ALTER TABLE')
  EXECUTE FUNCTION bronze_cdc.emit_schema_change();
