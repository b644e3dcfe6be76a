ALTER TABLE "gateway"."clients" ADD COLUMN "introspection" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- Who may read the schema through the gateway: the governance body and the departments (their developers build
-- against it); the provincial and city platforms get what their purposes let them query, not the map of the rest.
UPDATE "gateway"."clients" SET "introspection" = true WHERE "kind" IN ('GOVERNANCE', 'DEPARTMENT');
