-- The audit trail (issue 5), written by hand: drizzle-kit knows neither partitions nor triggers. gateway/tables.ts
-- describes the same tables for reading (and this migration's snapshot carries them, so db:generate sees no change).
--
-- Retention: records are kept at least 3 years (PIPL; the regulation map). Nothing here drops a partition; an
-- operator may detach and archive a month older than that (ALTER TABLE gateway.audit_records DETACH PARTITION ...),
-- which the append-only trigger does not stop, as a deliberate, logged act.
--
-- Privileges: a deployment runs the gateway as a role that does NOT own these tables, granted only
--   GRANT USAGE ON SCHEMA gateway TO <gateway role>;
--   GRANT SELECT, INSERT ON gateway.audit_records, gateway.audit_chains, gateway.audit_verifications TO <gateway role>;
--   GRANT EXECUTE ON FUNCTION gateway.ensure_audit_partitions(date, integer) TO <gateway role>;
-- (partitions are reached through the parent; the function runs as its owner, so the role needs no CREATE). The
-- owner and superusers can still disable the trigger: the hash chain (npm run audit:verify) is what shows that.
CREATE FUNCTION "gateway"."refuse_audit_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'gateway.% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TABLE "gateway"."audit_records" (
	"chain_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"recorded_at" timestamp (3) with time zone NOT NULL,
	"request_id" uuid NOT NULL,
	"client_id" text NOT NULL,
	"client_kind" text NOT NULL,
	"client_city" text,
	"operator" text,
	"case_ref" text,
	"purpose" text NOT NULL,
	"operation_type" text NOT NULL,
	"operation_name" text,
	"document_hash" text NOT NULL,
	"variables" jsonb NOT NULL,
	"outcome" text NOT NULL,
	"error_codes" text[] NOT NULL,
	"duration_ms" integer NOT NULL,
	"holder_ids" uuid[] NOT NULL,
	"coordinates" text[] NOT NULL,
	"denied_coordinates" text[] NOT NULL,
	"access" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	-- A partitioned table's keys must hold its partition key; (chain_id, seq) alone is kept unique by the writer
	-- and checked by verification (a repeated seq is a fork).
	CONSTRAINT "audit_records_pkey" PRIMARY KEY("chain_id","seq","recorded_at")
) PARTITION BY RANGE ("recorded_at");
--> statement-breakpoint
-- Governance reads by holder, by client over time, and by time.
CREATE INDEX "audit_records_holder_ids_idx" ON "gateway"."audit_records" USING gin ("holder_ids");
--> statement-breakpoint
CREATE INDEX "audit_records_client_time_idx" ON "gateway"."audit_records" USING btree ("client_id","recorded_at");
--> statement-breakpoint
CREATE INDEX "audit_records_time_idx" ON "gateway"."audit_records" USING btree ("recorded_at");
--> statement-breakpoint
-- Row triggers on the parent are cloned onto every partition, present and future; TRUNCATE triggers are not, so
-- ensure_audit_partitions adds one to each partition it creates.
CREATE TRIGGER "audit_records_append_only"
  BEFORE UPDATE OR DELETE ON "gateway"."audit_records"
  FOR EACH ROW EXECUTE FUNCTION "gateway"."refuse_audit_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_records_no_truncate"
  BEFORE TRUNCATE ON "gateway"."audit_records"
  FOR EACH STATEMENT EXECUTE FUNCTION "gateway"."refuse_audit_change"();
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON "gateway"."audit_records" FROM PUBLIC;
--> statement-breakpoint
-- Catches whatever no monthly partition takes, so an insert never fails for want of one.
CREATE TABLE "gateway"."audit_records_default" PARTITION OF "gateway"."audit_records" DEFAULT;
--> statement-breakpoint
CREATE TRIGGER "audit_records_default_no_truncate"
  BEFORE TRUNCATE ON "gateway"."audit_records_default"
  FOR EACH STATEMENT EXECUTE FUNCTION "gateway"."refuse_audit_change"();
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON "gateway"."audit_records_default" FROM PUBLIC;
--> statement-breakpoint
-- Monthly partitions gateway.audit_records_YYYY_MM for `months` months from the month of `from_month`, months of UTC
-- (whatever the session's time zone, so every instance cuts them alike); returns how many it created. Called here and by each gateway at start (gateway/audit/writer.ts) for the current month and the
-- next few. Concurrent callers take turns. A month whose rows already went to the DEFAULT partition is skipped
-- (moving them would mean deleting audit rows): they stay there, found by every query all the same.
CREATE FUNCTION "gateway"."ensure_audit_partitions"(from_month date, months integer) RETURNS integer
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  first date := date_trunc('month', from_month)::date;
  low date;
  high date;
  name text;
  created integer := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('ykt-hub:audit-partitions'));
  FOR i IN 0 .. months - 1 LOOP
    low := (first + make_interval(months => i))::date;
    high := (low + interval '1 month')::date;
    name := 'audit_records_' || to_char(low, 'YYYY_MM');
    CONTINUE WHEN to_regclass(format('gateway.%I', name)) IS NOT NULL;
    IF EXISTS (SELECT 1 FROM gateway.audit_records_default
               WHERE recorded_at >= (low::timestamp AT TIME ZONE 'UTC') AND recorded_at < (high::timestamp AT TIME ZONE 'UTC')) THEN
      RAISE NOTICE 'audit records for % are in the default partition; no partition %', to_char(low, 'YYYY-MM'), name;
      CONTINUE;
    END IF;
    EXECUTE format('CREATE TABLE gateway.%I PARTITION OF gateway.audit_records FOR VALUES FROM (%L) TO (%L)',
      name, low::timestamp AT TIME ZONE 'UTC', high::timestamp AT TIME ZONE 'UTC');
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON gateway.%I FOR EACH STATEMENT EXECUTE FUNCTION gateway.refuse_audit_change()',
      name || '_no_truncate', name);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON gateway.%I FROM PUBLIC', name);
    created := created + 1;
  END LOOP;
  RETURN created;
END;
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION "gateway"."ensure_audit_partitions"(date, integer) FROM PUBLIC;
--> statement-breakpoint
SELECT "gateway"."ensure_audit_partitions"((now() AT TIME ZONE 'UTC')::date, 3);
--> statement-breakpoint
-- One row per hash chain, i.e. per gateway instance start: where verification finds the chains to walk.
CREATE TABLE "gateway"."audit_chains" (
	"chain_id" uuid PRIMARY KEY NOT NULL,
	"started_at" timestamp (3) with time zone NOT NULL,
	"instance" text NOT NULL
);
--> statement-breakpoint
-- Each verification run and what it found: the last verified position of every chain, and the first break.
CREATE TABLE "gateway"."audit_verifications" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "gateway"."audit_verifications_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"verified_at" timestamp (3) with time zone NOT NULL,
	"chains" jsonb NOT NULL,
	"ok" boolean NOT NULL,
	"first_break" text
);
--> statement-breakpoint
CREATE INDEX "audit_verifications_time_idx" ON "gateway"."audit_verifications" USING btree ("verified_at");
--> statement-breakpoint
CREATE TRIGGER "audit_chains_append_only"
  BEFORE UPDATE OR DELETE ON "gateway"."audit_chains"
  FOR EACH ROW EXECUTE FUNCTION "gateway"."refuse_audit_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_chains_no_truncate"
  BEFORE TRUNCATE ON "gateway"."audit_chains"
  FOR EACH STATEMENT EXECUTE FUNCTION "gateway"."refuse_audit_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_verifications_append_only"
  BEFORE UPDATE OR DELETE ON "gateway"."audit_verifications"
  FOR EACH ROW EXECUTE FUNCTION "gateway"."refuse_audit_change"();
--> statement-breakpoint
CREATE TRIGGER "audit_verifications_no_truncate"
  BEFORE TRUNCATE ON "gateway"."audit_verifications"
  FOR EACH STATEMENT EXECUTE FUNCTION "gateway"."refuse_audit_change"();
--> statement-breakpoint
REVOKE UPDATE, DELETE, TRUNCATE ON "gateway"."audit_chains", "gateway"."audit_verifications" FROM PUBLIC;
