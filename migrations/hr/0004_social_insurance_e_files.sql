CREATE TYPE "hr"."contract_term" AS ENUM('FIXED_TERM', 'OPEN_ENDED', 'TASK_BASED');--> statement-breakpoint
CREATE TYPE "hr"."employment_kind" AS ENUM('EMPLOYED', 'UNEMPLOYED');--> statement-breakpoint
CREATE TYPE "hr"."enrolment_status" AS ENUM('ACTIVE', 'SUSPENDED', 'TERMINATED');--> statement-breakpoint
CREATE TYPE "hr"."insurance_scheme" AS ENUM('PENSION', 'MEDICAL', 'WORK_INJURY', 'UNEMPLOYMENT', 'MATERNITY');--> statement-breakpoint
CREATE TYPE "hr"."qualification_kind" AS ENUM('PROFESSIONAL_TITLE', 'QUALIFICATION');--> statement-breakpoint
CREATE TYPE "hr"."title_level" AS ENUM('JUNIOR', 'INTERMEDIATE', 'DEPUTY_SENIOR', 'SENIOR');--> statement-breakpoint
CREATE TYPE "hr"."training_kind" AS ENUM('TRAINING', 'SKILL_EVALUATION');--> statement-breakpoint
CREATE TABLE "hr"."employment_periods" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"holder_id" uuid NOT NULL,
	"kind" "hr"."employment_kind" NOT NULL,
	"employer_name" text,
	"employer_code" char(18),
	"city" char(6) NOT NULL,
	"start_date" date NOT NULL,
	"end_date" date,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "employment_periods_end_after_start" CHECK ("hr"."employment_periods"."end_date" is null or "hr"."employment_periods"."end_date" >= "hr"."employment_periods"."start_date")
);
--> statement-breakpoint
CREATE TABLE "hr"."labour_contracts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"holder_id" uuid NOT NULL,
	"employer_name" text NOT NULL,
	"employer_code" char(18) NOT NULL,
	"term" "hr"."contract_term" NOT NULL,
	"start_date" date NOT NULL,
	"end_date" date,
	"signed_at" timestamp (3) with time zone NOT NULL,
	"document_sha256" char(64) NOT NULL,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "labour_contracts_end_after_start" CHECK ("hr"."labour_contracts"."end_date" is null or "hr"."labour_contracts"."end_date" >= "hr"."labour_contracts"."start_date")
);
--> statement-breakpoint
CREATE TABLE "hr"."qualifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"holder_id" uuid NOT NULL,
	"kind" "hr"."qualification_kind" NOT NULL,
	"name" text NOT NULL,
	"level" "hr"."title_level",
	"issuer" text NOT NULL,
	"certificate_number" text,
	"awarded_on" date NOT NULL,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hr"."social_insurance_contributions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"holder_id" uuid NOT NULL,
	"enrolment_id" uuid NOT NULL,
	"month" timestamp (3) with time zone NOT NULL,
	"employer_fen" integer NOT NULL,
	"personal_fen" integer NOT NULL,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "si_contributions_not_negative" CHECK ("hr"."social_insurance_contributions"."employer_fen" >= 0 and "hr"."social_insurance_contributions"."personal_fen" >= 0)
);
--> statement-breakpoint
CREATE TABLE "hr"."social_insurance_enrolments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"holder_id" uuid NOT NULL,
	"scheme" "hr"."insurance_scheme" NOT NULL,
	"city" char(6) NOT NULL,
	"employer_name" text,
	"employer_code" char(18),
	"status" "hr"."enrolment_status" NOT NULL,
	"start_date" date NOT NULL,
	"end_date" date,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "si_enrolments_end_after_start" CHECK ("hr"."social_insurance_enrolments"."end_date" is null or "hr"."social_insurance_enrolments"."end_date" >= "hr"."social_insurance_enrolments"."start_date")
);
--> statement-breakpoint
CREATE TABLE "hr"."training_records" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"holder_id" uuid NOT NULL,
	"kind" "hr"."training_kind" NOT NULL,
	"occupation" text NOT NULL,
	"provider" text NOT NULL,
	"skill_level" smallint,
	"certificate_number" text,
	"completed_on" date NOT NULL,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "hr"."employment_periods" ADD CONSTRAINT "employment_periods_holder_id_holders_id_fk" FOREIGN KEY ("holder_id") REFERENCES "hr"."holders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."labour_contracts" ADD CONSTRAINT "labour_contracts_holder_id_holders_id_fk" FOREIGN KEY ("holder_id") REFERENCES "hr"."holders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."qualifications" ADD CONSTRAINT "qualifications_holder_id_holders_id_fk" FOREIGN KEY ("holder_id") REFERENCES "hr"."holders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."social_insurance_contributions" ADD CONSTRAINT "social_insurance_contributions_holder_id_holders_id_fk" FOREIGN KEY ("holder_id") REFERENCES "hr"."holders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."social_insurance_contributions" ADD CONSTRAINT "social_insurance_contributions_enrolment_id_social_insurance_enrolments_id_fk" FOREIGN KEY ("enrolment_id") REFERENCES "hr"."social_insurance_enrolments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."social_insurance_enrolments" ADD CONSTRAINT "social_insurance_enrolments_holder_id_holders_id_fk" FOREIGN KEY ("holder_id") REFERENCES "hr"."holders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."training_records" ADD CONSTRAINT "training_records_holder_id_holders_id_fk" FOREIGN KEY ("holder_id") REFERENCES "hr"."holders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "employment_periods_holder_idx" ON "hr"."employment_periods" USING btree ("holder_id","recorded_at","id");--> statement-breakpoint
CREATE INDEX "labour_contracts_holder_idx" ON "hr"."labour_contracts" USING btree ("holder_id","signed_at","id");--> statement-breakpoint
CREATE INDEX "qualifications_holder_idx" ON "hr"."qualifications" USING btree ("holder_id","recorded_at","id");--> statement-breakpoint
CREATE INDEX "si_contributions_holder_idx" ON "hr"."social_insurance_contributions" USING btree ("holder_id","month","id");--> statement-breakpoint
CREATE UNIQUE INDEX "si_contributions_one_per_month" ON "hr"."social_insurance_contributions" USING btree ("enrolment_id","month");--> statement-breakpoint
CREATE INDEX "si_enrolments_holder_idx" ON "hr"."social_insurance_enrolments" USING btree ("holder_id","recorded_at","id");--> statement-breakpoint
CREATE INDEX "training_records_holder_idx" ON "hr"."training_records" USING btree ("holder_id","recorded_at","id");