CREATE SCHEMA "civil_affairs";
--> statement-breakpoint
CREATE TYPE "civil_affairs"."certificate_kind" AS ENUM('ELDERLY', 'DISABILITY', 'VETERAN');--> statement-breakpoint
CREATE TYPE "civil_affairs"."certificate_status" AS ENUM('VALID', 'REVOKED');--> statement-breakpoint
CREATE TYPE "civil_affairs"."relief_kind" AS ENUM('MINIMUM_LIVING_ALLOWANCE', 'EXTREME_POVERTY_SUPPORT', 'TEMPORARY_ASSISTANCE');--> statement-breakpoint
CREATE TABLE "civil_affairs"."certificates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"certificate_number" text NOT NULL,
	"holder_id" uuid NOT NULL,
	"kind" "civil_affairs"."certificate_kind" NOT NULL,
	"disability_level" smallint,
	"issuer" char(6) NOT NULL,
	"valid_from" date NOT NULL,
	"valid_until" date,
	"status" "civil_affairs"."certificate_status" DEFAULT 'VALID' NOT NULL,
	"revoked_at" timestamp with time zone,
	"revocation_reason" text,
	"issued_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "certificates_certificate_number_unique" UNIQUE("certificate_number")
);
--> statement-breakpoint
CREATE TABLE "civil_affairs"."idempotency_keys" (
	"key" text PRIMARY KEY NOT NULL,
	"operation" text NOT NULL,
	"request_hash" text NOT NULL,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "civil_affairs"."relief_entitlements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"holder_id" uuid NOT NULL,
	"kind" "civil_affairs"."relief_kind" NOT NULL,
	"monthly_amount" numeric(12, 2) NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date,
	"city" char(6) NOT NULL,
	"granted_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "certificates_holder_idx" ON "civil_affairs"."certificates" USING btree ("holder_id","issued_at");--> statement-breakpoint
CREATE INDEX "relief_entitlements_holder_idx" ON "civil_affairs"."relief_entitlements" USING btree ("holder_id","granted_at");