-- card_events is the card's legal history (Art 5): once written, a row is never changed or removed.
CREATE FUNCTION "hr"."refuse_card_event_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'hr.card_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "card_events_append_only"
  BEFORE UPDATE OR DELETE ON "hr"."card_events"
  FOR EACH ROW EXECUTE FUNCTION "hr"."refuse_card_event_change"();
--> statement-breakpoint
CREATE TRIGGER "card_events_no_truncate"
  BEFORE TRUNCATE ON "hr"."card_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "hr"."refuse_card_event_change"();
