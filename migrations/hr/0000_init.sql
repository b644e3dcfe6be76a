CREATE SCHEMA "hr";
--> statement-breakpoint
CREATE TYPE "hr"."bank_agreement_status" AS ENUM('ACTIVE', 'SUSPENDED', 'TERMINATED');--> statement-breakpoint
CREATE TYPE "hr"."card_event_type" AS ENUM('APPLIED', 'ISSUED', 'LOSS_REPORTED', 'LOSS_CANCELLED', 'LOSS_LAPSED', 'REPLACED', 'CANCELLED', 'BANK_ACCOUNT_CHANGED');--> statement-breakpoint
CREATE TYPE "hr"."card_kind" AS ENUM('PHYSICAL', 'ELECTRONIC');--> statement-breakpoint
CREATE TYPE "hr"."card_status" AS ENUM('APPLIED', 'ACTIVE', 'LOST', 'REPLACED', 'CANCELLED');--> statement-breakpoint
CREATE TYPE "hr"."channel" AS ENUM('COUNTER', 'WEBSITE', 'MOBILE', 'SELF_SERVICE_TERMINAL');--> statement-breakpoint
CREATE TYPE "hr"."gender" AS ENUM('MALE', 'FEMALE');--> statement-breakpoint
CREATE TYPE "hr"."id_type" AS ENUM('RESIDENT_ID', 'HK_MACAU_RESIDENCE_PERMIT', 'TAIWAN_RESIDENCE_PERMIT', 'HK_MACAU_TRAVEL_PERMIT', 'TAIWAN_TRAVEL_PERMIT', 'FOREIGN_PERMANENT_RESIDENT');--> statement-breakpoint
CREATE TYPE "hr"."loss_kind" AS ENUM('TEMPORARY', 'FORMAL');--> statement-breakpoint
CREATE TABLE "hr"."bank_accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"holder_id" uuid NOT NULL,
	"bank_code" text NOT NULL,
	"account_number" text NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "hr"."banks" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"agreement_status" "hr"."bank_agreement_status" DEFAULT 'ACTIVE' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hr"."card_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "hr"."card_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"card_id" uuid NOT NULL,
	"holder_id" uuid NOT NULL,
	"type" "hr"."card_event_type" NOT NULL,
	"from_status" "hr"."card_status",
	"to_status" "hr"."card_status" NOT NULL,
	"channel" "hr"."channel",
	"city" char(6),
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"detail" jsonb
);
--> statement-breakpoint
CREATE TABLE "hr"."cards" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"card_number" text NOT NULL,
	"identification_code" char(32) NOT NULL,
	"holder_id" uuid NOT NULL,
	"kind" "hr"."card_kind" NOT NULL,
	"physical_card_id" uuid,
	"status" "hr"."card_status" NOT NULL,
	"loss_kind" "hr"."loss_kind",
	"loss_reported_at" timestamp with time zone,
	"loss_lapses_at" timestamp with time zone,
	"issuing_authority" char(6) NOT NULL,
	"issued_on" date,
	"expires_on" date,
	"replaced_by_card_id" uuid,
	"bank_account_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cards_card_number_unique" UNIQUE("card_number"),
	CONSTRAINT "cards_identification_code_unique" UNIQUE("identification_code")
);
--> statement-breakpoint
CREATE TABLE "hr"."holders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"id_type" "hr"."id_type" NOT NULL,
	"id_number" text NOT NULL,
	"name" text NOT NULL,
	"gender" "hr"."gender" NOT NULL,
	"birth_date" date NOT NULL,
	"phone" text,
	"registered_city" char(6) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "holders_id_number_unique" UNIQUE("id_number")
);
--> statement-breakpoint
ALTER TABLE "hr"."bank_accounts" ADD CONSTRAINT "bank_accounts_holder_id_holders_id_fk" FOREIGN KEY ("holder_id") REFERENCES "hr"."holders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."bank_accounts" ADD CONSTRAINT "bank_accounts_bank_code_banks_code_fk" FOREIGN KEY ("bank_code") REFERENCES "hr"."banks"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."card_events" ADD CONSTRAINT "card_events_card_id_cards_id_fk" FOREIGN KEY ("card_id") REFERENCES "hr"."cards"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."card_events" ADD CONSTRAINT "card_events_holder_id_holders_id_fk" FOREIGN KEY ("holder_id") REFERENCES "hr"."holders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."cards" ADD CONSTRAINT "cards_holder_id_holders_id_fk" FOREIGN KEY ("holder_id") REFERENCES "hr"."holders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hr"."cards" ADD CONSTRAINT "cards_bank_account_id_bank_accounts_id_fk" FOREIGN KEY ("bank_account_id") REFERENCES "hr"."bank_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "bank_accounts_one_open_per_holder" ON "hr"."bank_accounts" USING btree ("holder_id") WHERE "hr"."bank_accounts"."closed_at" is null;--> statement-breakpoint
CREATE INDEX "card_events_card_idx" ON "hr"."card_events" USING btree ("card_id","id");--> statement-breakpoint
CREATE INDEX "cards_holder_idx" ON "hr"."cards" USING btree ("holder_id");--> statement-breakpoint
CREATE INDEX "cards_physical_card_idx" ON "hr"."cards" USING btree ("physical_card_id");--> statement-breakpoint
CREATE UNIQUE INDEX "cards_one_live_physical_per_holder" ON "hr"."cards" USING btree ("holder_id") WHERE "hr"."cards"."kind" = 'PHYSICAL' and "hr"."cards"."status" in ('APPLIED', 'ACTIVE', 'LOST');--> statement-breakpoint
CREATE UNIQUE INDEX "cards_one_live_electronic_per_holder" ON "hr"."cards" USING btree ("holder_id") WHERE "hr"."cards"."kind" = 'ELECTRONIC' and "hr"."cards"."status" in ('APPLIED', 'ACTIVE', 'LOST');--> statement-breakpoint
CREATE INDEX "holders_registered_city_idx" ON "hr"."holders" USING btree ("registered_city");