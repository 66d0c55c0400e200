import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";

// Every text asset is written a second and third time, gzip (.gz) and brotli (.br) at their highest levels, so
// that the server sends the precompressed file the browser accepts (config/webclient.py) instead of compressing
// on each request or not at all. Node's own zlib: no dependency.
function precompress(): Plugin {
  let outDir = "dist";
  return {
    name: "precompress",
    apply: "build",
    configResolved(config) { outDir = config.build.outDir; },
    closeBundle() {
      const assets = join(outDir, "assets");
      for (const name of readdirSync(assets)) {
        const file = join(assets, name);
        if (!/\.(js|css|svg|json)$/.test(name) || statSync(file).size < 1024) continue;
        const body = readFileSync(file);
        writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
        writeFileSync(`${file}.br`, brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      }
    },
  };
}

// Libraries that change rarely get chunks of their own (cached across releases); antd and the screens are split
// by Rollup along the lazy routes, so the sign-in screen loads only what it uses. ECharts comes with the dashboard.
const VENDORS: Record<string, RegExp> = {
  react: /node_modules\/(react|react-dom|react-router|react-router-dom|scheduler|@remix-run)\//,
  urql: /node_modules\/(urql|@urql|wonka|@0no-co)\//,
  echarts: /node_modules\/(echarts|zrender)\//,
  dayjs: /node_modules\/dayjs\//,
};

// Built into web/dist and served by Django at / (see config/webclient.py). `npm run dev` proxies the API to
// a `make run` server on :8000 so that cookies and CSRF behave as in production (same origin).
export default defineConfig({
  plugins: [react(), precompress()],
  base: "/",
  build: {
    outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 600,
    rollupOptions: {
      output: {
        manualChunks: (id) => Object.entries(VENDORS).find(([, pattern]) => pattern.test(id))?.[0],
      },
    },
  },
  server: {
    proxy: Object.fromEntries(
      ["/graphql", "/auth", "/files", "/jobs", "/admin", "/static"].map((p) => [p, "http://127.0.0.1:8000"]),
    ),
  },
  test: { environment: "jsdom", include: ["src/**/*.test.{ts,tsx}"], setupFiles: ["src/test-setup.ts"] },
});
