// PostGraphile 5 (Grafast) as a second measuring peer for bench.run (issue 15): not part of the product.
// The same database, RLS policies (../postgraphile/setup.sql) and X-Scope-Paths rule as the v4 peer, and the
// v4-compatible schema (makeV4Preset), so the harness sends both the same query. See
// /work/shared/notes/postgraphile-v5.md. GET /health answers once the schema is built.
import http from 'node:http';

// v5 calls Promise.withResolvers (Node >= 22); the machines run Node 20.
if (!Promise.withResolvers) {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}

const { postgraphile } = await import('postgraphile');
const { PostGraphileAmberPreset } = await import('postgraphile/presets/amber');
const { makeV4Preset } = await import('postgraphile/presets/v4');
const { makePgService } = await import('postgraphile/adaptors/pg');
const { grafserv } = await import('postgraphile/grafserv/node');

const PORT = Number(process.env.PORT || 8733);
const SCOPE_RE = /^([0-9A-Z]{4})+$/; // one materialized path of orgs.paths: fixed-width 4-character steps

const scopeOf = (req) => {
  const scope = String(req.headers['x-scope-paths'] || '');
  return SCOPE_RE.test(scope) ? scope : null;
};

const preset = {
  extends: [PostGraphileAmberPreset, makeV4Preset({ dynamicJson: true, setofFunctionsContainNulls: false })],
  disablePlugins: ['PgIndexBehaviorsPlugin'], // the harness orders by name, as the v4 peer allows
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ['public'] })],
  grafserv: { graphiql: false },
  grafast: {
    context(requestContext) {
      const scope = scopeOf(requestContext.node.req);
      return { pgSettings: { role: 'bench_prov_app', 'app.scope_paths': scope } };
    },
  },
};

const pgl = postgraphile(preset);
const handler = pgl.createServ(grafserv).createHandler();
await pgl.getSchema();

http.createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
    return;
  }
  if (!scopeOf(req)) {
    res.writeHead(401, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ message: 'missing/invalid X-Scope-Paths' }] }));
    return;
  }
  handler(req, res);
}).listen(PORT, '127.0.0.1');
