CREATE TYPE "hr"."violation_kind" AS ENUM('RENT_LEND_SELL', 'FRAUDULENT_USE', 'FORGERY');--> statement-breakpoint
CREATE TYPE "hr"."violation_status" AS ENUM('DECIDED', 'CORRECTED', 'CLOSED');--> statement-breakpoint
CREATE TABLE "hr"."violations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"holder_id" uuid,
	"organisation_name" text,
	"organisation_code" char(18),
	"kind" "hr"."violation_kind" NOT NULL,
	"facts" text NOT NULL,
	"authority" char(6) NOT NULL,
	"decision" text NOT NULL,
	"decided_on" date NOT NULL,
	"fine_fen" integer,
	"correct_by" date,
	"status" "hr"."violation_status" DEFAULT 'DECIDED' NOT NULL,
	"feed_position" bigint NOT NULL,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "violations_one_subject" CHECK (("hr"."violations"."holder_id" is null) <> ("hr"."violations"."organisation_code" is null and "hr"."violations"."organisation_name" is null)),
	CONSTRAINT "violations_fine_range" CHECK ("hr"."violations"."fine_fen" is null or "hr"."violations"."fine_fen" between 100000 and 1000000),
	CONSTRAINT "violations_correct_after_decision" CHECK ("hr"."violations"."correct_by" is null or "hr"."violations"."correct_by" >= "hr"."violations"."decided_on")
);
--> statement-breakpoint
ALTER TABLE "hr"."violations" ADD CONSTRAINT "violations_holder_id_holders_id_fk" FOREIGN KEY ("holder_id") REFERENCES "hr"."holders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "violations_holder_idx" ON "hr"."violations" USING btree ("holder_id","recorded_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "violations_feed_position" ON "hr"."violations" USING btree ("feed_position");