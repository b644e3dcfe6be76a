CREATE SCHEMA "transport";
--> statement-breakpoint
CREATE TYPE "transport"."concession" AS ENUM('NONE', 'ELDERLY', 'DISABILITY', 'VETERAN');--> statement-breakpoint
CREATE TYPE "transport"."ride_mode" AS ENUM('BUS', 'METRO', 'FERRY', 'HIGH_SPEED_RAIL', 'FLIGHT');--> statement-breakpoint
CREATE TABLE "transport"."idempotency_keys" (
	"key" text PRIMARY KEY NOT NULL,
	"operation" text NOT NULL,
	"request_hash" text NOT NULL,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "transport"."rides" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"holder_id" uuid NOT NULL,
	"card_number" text NOT NULL,
	"mode" "transport"."ride_mode" NOT NULL,
	"city" char(6) NOT NULL,
	"line" text NOT NULL,
	"station" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"fare" numeric(10, 2) NOT NULL,
	"concession" "transport"."concession" DEFAULT 'NONE' NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "transport"."transit_functions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"card_number" text NOT NULL,
	"holder_id" uuid NOT NULL,
	"city" char(6) NOT NULL,
	"operator" text NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"unloaded_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "rides_holder_time_idx" ON "transport"."rides" USING btree ("holder_id","occurred_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "transit_functions_card_city" ON "transport"."transit_functions" USING btree ("card_number","city");--> statement-breakpoint
CREATE INDEX "transit_functions_holder_idx" ON "transport"."transit_functions" USING btree ("holder_id");