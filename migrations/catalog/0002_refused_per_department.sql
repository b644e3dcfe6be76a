-- A refused credential attempt is kept once per department and idempotency key: keys are the callers' own, and one
-- department's reusing another's key is an attempt of its own for governance's report.
ALTER TABLE "catalog"."refused_credentials" DROP CONSTRAINT "refused_credentials_idempotency_key_unique";--> statement-breakpoint
ALTER TABLE "catalog"."refused_credentials" ADD CONSTRAINT "refused_credentials_department_key" UNIQUE("department","idempotency_key");