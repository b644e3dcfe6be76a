-- X-Place (issue 13): where the operator acted, e.g. a hotel's front desk checking a card's QR code. Null for
-- records made before it and requests naming none; the chain leaves a null place out of the hashed content
-- (gateway/audit/chain.ts), so older records verify as they did.
ALTER TABLE "gateway"."audit_records" ADD COLUMN "place" text;