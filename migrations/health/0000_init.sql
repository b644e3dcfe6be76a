CREATE SCHEMA "health";
--> statement-breakpoint
CREATE TYPE "health"."institution_level" AS ENUM('TERTIARY_A', 'TERTIARY_B', 'SECONDARY_A', 'SECONDARY_B', 'PRIMARY');--> statement-breakpoint
CREATE TYPE "health"."record_type" AS ENUM('EMR', 'HEALTH_ARCHIVE', 'EXAMINATION_REPORT');--> statement-breakpoint
CREATE TYPE "health"."visit_kind" AS ENUM('REGISTRATION', 'OUTPATIENT', 'INPATIENT');--> statement-breakpoint
CREATE TABLE "health"."health_records" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"holder_id" uuid NOT NULL,
	"type" "health"."record_type" NOT NULL,
	"institution_id" uuid NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	"summary" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "health"."idempotency_keys" (
	"key" text PRIMARY KEY NOT NULL,
	"operation" text NOT NULL,
	"request_hash" text NOT NULL,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "health"."medical_institutions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"city" char(6) NOT NULL,
	"level" "health"."institution_level" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "medical_institutions_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "health"."settlements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"visit_id" uuid NOT NULL,
	"total" numeric(12, 2) NOT NULL,
	"fund_paid" numeric(12, 2) NOT NULL,
	"self_paid" numeric(12, 2) NOT NULL,
	"card_paid" numeric(12, 2) NOT NULL,
	"settled_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "settlements_visit_id_unique" UNIQUE("visit_id"),
	CONSTRAINT "settlements_amounts_add_up" CHECK ("health"."settlements"."total" = "health"."settlements"."fund_paid" + "health"."settlements"."self_paid"),
	CONSTRAINT "settlements_card_within_self_paid" CHECK ("health"."settlements"."card_paid" <= "health"."settlements"."self_paid"),
	CONSTRAINT "settlements_not_negative" CHECK ("health"."settlements"."fund_paid" >= 0 and "health"."settlements"."self_paid" >= 0 and "health"."settlements"."card_paid" >= 0)
);
--> statement-breakpoint
CREATE TABLE "health"."visit_diagnoses" (
	"visit_id" uuid NOT NULL,
	"position" smallint NOT NULL,
	"code" varchar(8) NOT NULL,
	CONSTRAINT "visit_diagnoses_visit_id_position_pk" PRIMARY KEY("visit_id","position")
);
--> statement-breakpoint
CREATE TABLE "health"."visits" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" "health"."visit_kind" NOT NULL,
	"holder_id" uuid NOT NULL,
	"institution_id" uuid NOT NULL,
	"city" char(6) NOT NULL,
	"department" text NOT NULL,
	"visited_at" timestamp with time zone NOT NULL,
	"admitted_at" timestamp with time zone,
	"discharged_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "visits_admission_only_inpatient" CHECK ("health"."visits"."kind" = 'INPATIENT' or ("health"."visits"."admitted_at" is null and "health"."visits"."discharged_at" is null)),
	CONSTRAINT "visits_inpatient_admitted" CHECK ("health"."visits"."kind" <> 'INPATIENT' or "health"."visits"."admitted_at" is not null),
	CONSTRAINT "visits_discharge_after_admission" CHECK ("health"."visits"."discharged_at" is null or "health"."visits"."discharged_at" >= "health"."visits"."admitted_at")
);
--> statement-breakpoint
ALTER TABLE "health"."health_records" ADD CONSTRAINT "health_records_institution_id_medical_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "health"."medical_institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "health"."settlements" ADD CONSTRAINT "settlements_visit_id_visits_id_fk" FOREIGN KEY ("visit_id") REFERENCES "health"."visits"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "health"."visit_diagnoses" ADD CONSTRAINT "visit_diagnoses_visit_id_visits_id_fk" FOREIGN KEY ("visit_id") REFERENCES "health"."visits"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "health"."visits" ADD CONSTRAINT "visits_institution_id_medical_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "health"."medical_institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "health_records_holder_idx" ON "health"."health_records" USING btree ("holder_id","recorded_at","id");--> statement-breakpoint
CREATE INDEX "health_records_institution_idx" ON "health"."health_records" USING btree ("institution_id");--> statement-breakpoint
CREATE INDEX "medical_institutions_city_idx" ON "health"."medical_institutions" USING btree ("city");--> statement-breakpoint
CREATE INDEX "visits_holder_idx" ON "health"."visits" USING btree ("holder_id","visited_at","id");--> statement-breakpoint
CREATE INDEX "visits_institution_idx" ON "health"."visits" USING btree ("institution_id");