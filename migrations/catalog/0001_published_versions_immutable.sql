-- A published catalog version is a public, dated statement of what the card carries (Art 6): it never changes.
-- The database refuses it whoever asks, the API's own check aside: a published version may not be updated or
-- deleted, and no item of a published version may be added, changed or removed. The one change a version may
-- undergo is its publication (DRAFT to PUBLISHED). SQLSTATE 55000 (object_not_in_prerequisite_state), which the
-- subgraph answers as CATALOG_VERSION_PUBLISHED.
CREATE FUNCTION "catalog"."refuse_published_version_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND OLD.status = 'PUBLISHED' THEN
    RAISE EXCEPTION 'catalog version % is published: % refused', OLD.id, TG_OP USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.status = 'PUBLISHED' THEN
    RAISE EXCEPTION 'catalog version % is published: % refused', OLD.id, TG_OP USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "catalog_versions_published_immutable"
  BEFORE UPDATE OR DELETE ON "catalog"."catalog_versions"
  FOR EACH ROW EXECUTE FUNCTION "catalog"."refuse_published_version_change"();
--> statement-breakpoint
-- An item belongs to the version it names, before and after the change: both must be drafts.
CREATE FUNCTION "catalog"."refuse_published_item_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
    SELECT 1 FROM "catalog"."catalog_versions" WHERE id = OLD.version_id AND status = 'PUBLISHED'
  ) THEN
    RAISE EXCEPTION 'catalog version % is published: % of an item refused', OLD.version_id, TG_OP USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (
    SELECT 1 FROM "catalog"."catalog_versions" WHERE id = NEW.version_id AND status = 'PUBLISHED'
  ) THEN
    RAISE EXCEPTION 'catalog version % is published: % of an item refused', NEW.version_id, TG_OP USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "catalog_items_published_immutable"
  BEFORE INSERT OR UPDATE OR DELETE ON "catalog"."catalog_items"
  FOR EACH ROW EXECUTE FUNCTION "catalog"."refuse_published_item_change"();
--> statement-breakpoint
-- TRUNCATE skips row triggers: refused outright on both tables (a catalog's history is not wiped).
CREATE FUNCTION "catalog"."refuse_catalog_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'catalog.% keeps published versions: TRUNCATE refused', TG_TABLE_NAME USING ERRCODE = 'object_not_in_prerequisite_state';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "catalog_versions_no_truncate" BEFORE TRUNCATE ON "catalog"."catalog_versions"
  FOR EACH STATEMENT EXECUTE FUNCTION "catalog"."refuse_catalog_truncate"();
--> statement-breakpoint
CREATE TRIGGER "catalog_items_no_truncate" BEFORE TRUNCATE ON "catalog"."catalog_items"
  FOR EACH STATEMENT EXECUTE FUNCTION "catalog"."refuse_catalog_truncate"();
