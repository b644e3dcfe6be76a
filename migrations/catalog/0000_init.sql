CREATE SCHEMA "catalog";
--> statement-breakpoint
CREATE TYPE "catalog"."category" AS ENUM('SOCIAL_INSURANCE', 'HR_SERVICE', 'MEDICAL', 'TRANSPORT', 'CULTURE_TOURISM', 'GOVERNMENT_SERVICE', 'FINANCE', 'OTHER');--> statement-breakpoint
CREATE TYPE "catalog"."credential_kind" AS ENUM('CARD', 'CERTIFICATE', 'QR_CODE');--> statement-breakpoint
CREATE TYPE "catalog"."credential_status" AS ENUM('REGISTERED', 'INTEGRATED');--> statement-breakpoint
CREATE TYPE "catalog"."version_status" AS ENUM('DRAFT', 'PUBLISHED');--> statement-breakpoint
CREATE TABLE "catalog"."catalog_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"version_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"category" "catalog"."category" NOT NULL,
	"scenarios" text[] NOT NULL,
	"venues" text[] NOT NULL,
	"department" text NOT NULL,
	CONSTRAINT "catalog_items_version_code_key" UNIQUE("version_id","code")
);
--> statement-breakpoint
CREATE TABLE "catalog"."catalog_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"scope" char(6) NOT NULL,
	"version" integer NOT NULL,
	"status" "catalog"."version_status" DEFAULT 'DRAFT' NOT NULL,
	"effective_from" date,
	"published_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "catalog_versions_scope_version_key" UNIQUE("scope","version")
);
--> statement-breakpoint
CREATE TABLE "catalog"."credentials" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"department" text NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"kind" "catalog"."credential_kind" NOT NULL,
	"category" "catalog"."category" NOT NULL,
	"scenarios" text[] NOT NULL,
	"city" char(6),
	"status" "catalog"."credential_status" NOT NULL,
	"national_basis" text,
	"integrated_with" text[] DEFAULT '{}'::text[] NOT NULL,
	"registered_by" text NOT NULL,
	"registered_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "credentials_department_code_key" UNIQUE("department","code")
);
--> statement-breakpoint
CREATE TABLE "catalog"."idempotency_keys" (
	"key" text PRIMARY KEY NOT NULL,
	"operation" text NOT NULL,
	"request_hash" text NOT NULL,
	"result" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "catalog"."refused_credentials" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"idempotency_key" text NOT NULL,
	"department" text NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"kind" "catalog"."credential_kind" NOT NULL,
	"category" "catalog"."category" NOT NULL,
	"scenarios" text[] NOT NULL,
	"city" char(6),
	"duplicates" text[] NOT NULL,
	"attempted_by" text NOT NULL,
	"attempted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "refused_credentials_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
ALTER TABLE "catalog"."catalog_items" ADD CONSTRAINT "catalog_items_version_id_catalog_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "catalog"."catalog_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "catalog_versions_one_draft_idx" ON "catalog"."catalog_versions" USING btree ("scope") WHERE status = 'DRAFT';--> statement-breakpoint
CREATE INDEX "catalog_versions_in_force_idx" ON "catalog"."catalog_versions" USING btree ("scope","effective_from");--> statement-breakpoint
CREATE INDEX "refused_credentials_time_idx" ON "catalog"."refused_credentials" USING btree ("attempted_at");