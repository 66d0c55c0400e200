// PostGraphile 4 as a measuring peer for bench.run (issue 9): not part of the product.
// Each request runs as role bench_prov_app with app.scope_paths = the X-Scope-Paths header; the RLS
// policies of setup.sql turn that prefix into an index range on org_path (see
// /work/shared/notes/postgraphile-peer.md). GET /health answers once the schema is built.
const http = require('http');
const { postgraphile } = require('postgraphile');

const DATABASE_URL = process.env.DATABASE_URL;
const PORT = Number(process.env.PORT || 8732);
const SCOPE_RE = /^([0-9A-Z]{4})+$/; // one materialized path of orgs.paths: fixed-width 4-character steps

const middleware = postgraphile(DATABASE_URL, 'public', {
  graphiql: false,
  disableQueryLog: true,
  dynamicJson: true,
  setofFunctionsContainNulls: false,
  ignoreRBAC: false,
  retryOnInitFail: false,
  pgSettings: async (req) => {
    const scope = String(req.headers['x-scope-paths'] || '');
    if (!SCOPE_RE.test(scope)) {
      const e = new Error('missing/invalid X-Scope-Paths');
      e.statusCode = 401;
      throw e;
    }
    return { role: 'bench_prov_app', 'app.scope_paths': scope };
  },
});

http.createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
    return;
  }
  middleware(req, res);
}).listen(PORT, '127.0.0.1');
