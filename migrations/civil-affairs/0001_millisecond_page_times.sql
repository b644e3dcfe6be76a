DROP INDEX "civil_affairs"."certificates_holder_idx";--> statement-breakpoint
DROP INDEX "civil_affairs"."relief_entitlements_holder_idx";--> statement-breakpoint
ALTER TABLE "civil_affairs"."certificates" ALTER COLUMN "issued_at" SET DATA TYPE timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "civil_affairs"."certificates" ALTER COLUMN "issued_at" SET DEFAULT now();--> statement-breakpoint
ALTER TABLE "civil_affairs"."relief_entitlements" ALTER COLUMN "granted_at" SET DATA TYPE timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "civil_affairs"."relief_entitlements" ALTER COLUMN "granted_at" SET DEFAULT now();--> statement-breakpoint
CREATE INDEX "certificates_holder_idx" ON "civil_affairs"."certificates" USING btree ("holder_id","issued_at","id");--> statement-breakpoint
CREATE INDEX "relief_entitlements_holder_idx" ON "civil_affairs"."relief_entitlements" USING btree ("holder_id","granted_at","id");