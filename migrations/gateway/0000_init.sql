CREATE SCHEMA "gateway";
--> statement-breakpoint
CREATE TABLE "gateway"."clients" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"city" char(6),
	"domain" text,
	"purposes" text[] NOT NULL,
	"status" text DEFAULT 'ACTIVE' NOT NULL,
	"requests_per_minute" integer NOT NULL,
	"status_reason" text,
	"status_changed_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "clients_id_format" CHECK ("gateway"."clients"."id" ~ '^[a-z0-9-]{2,64}$'),
	CONSTRAINT "clients_kind_known" CHECK ("gateway"."clients"."kind" in ('PROVINCE', 'CITY', 'DEPARTMENT', 'GOVERNANCE')),
	CONSTRAINT "clients_name_present" CHECK (length(btrim("gateway"."clients"."name")) > 0),
	CONSTRAINT "clients_city_iff_city_platform" CHECK (("gateway"."clients"."kind" = 'CITY') = ("gateway"."clients"."city" is not null)),
	CONSTRAINT "clients_city_format" CHECK ("gateway"."clients"."city" ~ '^[0-9]{6}$'),
	CONSTRAINT "clients_domain_iff_department" CHECK (("gateway"."clients"."kind" = 'DEPARTMENT') = ("gateway"."clients"."domain" is not null)),
	CONSTRAINT "clients_domain_format" CHECK ("gateway"."clients"."domain" ~ '^[a-z][a-z-]*$'),
	CONSTRAINT "clients_purposes_known" CHECK (cardinality("gateway"."clients"."purposes") > 0 and "gateway"."clients"."purposes" <@ array['SOCIAL_INSURANCE', 'MEDICAL_SERVICE', 'TRANSIT', 'CULTURE_TOURISM', 'BENEFIT_DISBURSEMENT', 'IDENTITY_VERIFICATION', 'PREFERENTIAL_TREATMENT', 'HR_SERVICE', 'HOLDER_SELF_SERVICE', 'GOVERNANCE_AUDIT']::text[]),
	CONSTRAINT "clients_status_known" CHECK ("gateway"."clients"."status" in ('ACTIVE', 'SUSPENDED')),
	CONSTRAINT "clients_suspension_reason" CHECK ("gateway"."clients"."status" <> 'SUSPENDED' or coalesce(length(btrim("gateway"."clients"."status_reason")), 0) > 0),
	CONSTRAINT "clients_rate_positive" CHECK ("gateway"."clients"."requests_per_minute" > 0)
);
