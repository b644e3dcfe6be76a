CREATE SCHEMA "public_security";
--> statement-breakpoint
CREATE TYPE "public_security"."licence_kind" AS ENUM('DRIVING_LICENCE', 'RESIDENT_ID_CARD');--> statement-breakpoint
CREATE TYPE "public_security"."licence_status" AS ENUM('VALID', 'SUSPENDED', 'REVOKED');--> statement-breakpoint
CREATE TABLE "public_security"."idempotency_keys" (
	"key" text PRIMARY KEY NOT NULL,
	"operation" text NOT NULL,
	"request_hash" text NOT NULL,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "public_security"."licences" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"holder_id" uuid NOT NULL,
	"kind" "public_security"."licence_kind" NOT NULL,
	"licence_number" text,
	"vehicle_class" text,
	"issuer" char(6),
	"valid_from" date NOT NULL,
	"valid_until" date,
	"status" "public_security"."licence_status" DEFAULT 'VALID' NOT NULL,
	"points" smallint,
	"status_reason" text,
	"status_changed_at" timestamp with time zone,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "licences_licence_number_unique" UNIQUE("licence_number")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "licences_holder_kind_idx" ON "public_security"."licences" USING btree ("holder_id","kind");