-- Public security (公安) joins the register: it writes the electronic licences of its subgraph and checks them for
-- identity verification (Art 9). An existing row (an operator may have suspended it or changed its rate) is left as
-- it is. Like every department, its developers may read the schema (0003).
INSERT INTO "gateway"."clients" ("id", "kind", "name", "city", "domain", "purposes", "requests_per_minute", "introspection") VALUES
  ('dept-public-security', 'DEPARTMENT', '广东省公安厅', NULL, 'public-security', ARRAY['IDENTITY_VERIFICATION'], 6000, true)
ON CONFLICT ("id") DO NOTHING;
