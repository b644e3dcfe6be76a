CREATE SCHEMA "culture_tourism";
--> statement-breakpoint
CREATE TYPE "culture_tourism"."concession" AS ENUM('NONE', 'ELDERLY', 'DISABILITY', 'VETERAN');--> statement-breakpoint
CREATE TYPE "culture_tourism"."venue_kind" AS ENUM('LIBRARY', 'MUSEUM', 'SCENIC_SPOT', 'SPORTS_FACILITY');--> statement-breakpoint
CREATE TABLE "culture_tourism"."admissions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"holder_id" uuid NOT NULL,
	"card_number" text NOT NULL,
	"venue_id" uuid NOT NULL,
	"admitted_at" timestamp with time zone NOT NULL,
	"concession" "culture_tourism"."concession" DEFAULT 'NONE' NOT NULL,
	"city" char(6) NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "culture_tourism"."idempotency_keys" (
	"key" text PRIMARY KEY NOT NULL,
	"operation" text NOT NULL,
	"request_hash" text NOT NULL,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "culture_tourism"."library_loans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"holder_id" uuid NOT NULL,
	"card_number" text NOT NULL,
	"venue_id" uuid NOT NULL,
	"item_id" text NOT NULL,
	"title" text NOT NULL,
	"borrowed_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"returned_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "culture_tourism"."venues" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"kind" "culture_tourism"."venue_kind" NOT NULL,
	"city" char(6) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "venues_code_unique" UNIQUE("code")
);
--> statement-breakpoint
ALTER TABLE "culture_tourism"."admissions" ADD CONSTRAINT "admissions_venue_id_venues_id_fk" FOREIGN KEY ("venue_id") REFERENCES "culture_tourism"."venues"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "culture_tourism"."library_loans" ADD CONSTRAINT "library_loans_venue_id_venues_id_fk" FOREIGN KEY ("venue_id") REFERENCES "culture_tourism"."venues"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "admissions_holder_time_idx" ON "culture_tourism"."admissions" USING btree ("holder_id","admitted_at","id");--> statement-breakpoint
CREATE INDEX "admissions_venue_time_idx" ON "culture_tourism"."admissions" USING btree ("venue_id","admitted_at");--> statement-breakpoint
CREATE INDEX "library_loans_holder_time_idx" ON "culture_tourism"."library_loans" USING btree ("holder_id","borrowed_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "library_loans_one_open_per_item" ON "culture_tourism"."library_loans" USING btree ("venue_id","item_id") WHERE "culture_tourism"."library_loans"."returned_at" is null;--> statement-breakpoint
CREATE INDEX "venues_city_kind_idx" ON "culture_tourism"."venues" USING btree ("city","kind");