-- The PostGraphile peer's tenant rule as row-level security (bench.run applies it to bench_prov_* databases).
-- Rule: role bench_prov_app sees rows whose owner path starts with app.scope_paths (one prefix), written as an
-- index range on the varchar_pattern_ops index (the shape /work/shared/notes/postgraphile-peer.md measured).
-- The product's own server connects as the table owner, which RLS does not restrict.
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bench_prov_app') THEN
    CREATE ROLE bench_prov_app NOLOGIN;
  END IF;
END $$;
GRANT USAGE ON SCHEMA public TO bench_prov_app;
GRANT SELECT ON children_child, children_guardian, orgs_organization TO bench_prov_app;

ALTER TABLE children_child ENABLE ROW LEVEL SECURITY;
ALTER TABLE children_guardian ENABLE ROW LEVEL SECURITY;
ALTER TABLE orgs_organization ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS bench_prov_scope ON children_child;
CREATE POLICY bench_prov_scope ON children_child FOR SELECT TO bench_prov_app USING (
      org_path ~>=~ nullif(current_setting('app.scope_paths', true), '')
  AND org_path ~<~ (nullif(current_setting('app.scope_paths', true), '') || '~'));

DROP POLICY IF EXISTS bench_prov_scope ON orgs_organization;
CREATE POLICY bench_prov_scope ON orgs_organization FOR SELECT TO bench_prov_app USING (
      path ~>=~ nullif(current_setting('app.scope_paths', true), '')
  AND path ~<~ (nullif(current_setting('app.scope_paths', true), '') || '~'));

-- a guardian is visible with its child (the few guardians of one page: a per-row check is cheap here)
DROP POLICY IF EXISTS bench_prov_scope ON children_guardian;
CREATE POLICY bench_prov_scope ON children_guardian FOR SELECT TO bench_prov_app USING (
  EXISTS (SELECT 1 FROM children_child c WHERE c.id = children_guardian.child_id));

-- masked names, as permissions.masking.mask_name (PostGraphile exposes them as the computed field maskedName)
CREATE OR REPLACE FUNCTION bench_prov_mask(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN char_length(name) <= 1 THEN name
              WHEN char_length(name) = 2 THEN left(name, 1) || '*'
              ELSE left(name, 1) || repeat('*', char_length(name) - 2) || right(name, 1) END $$;
CREATE OR REPLACE FUNCTION children_child_masked_name(c children_child) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT bench_prov_mask(c.name) $$;
CREATE OR REPLACE FUNCTION children_guardian_masked_name(g children_guardian) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT bench_prov_mask(g.name) $$;
GRANT EXECUTE ON FUNCTION bench_prov_mask(text), children_child_masked_name(children_child),
  children_guardian_masked_name(children_guardian) TO bench_prov_app;
