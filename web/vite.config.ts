import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Built into web/dist and served by Django at / (see config/webclient.py). `npm run dev` proxies the API to
// a `make run` server on :8000 so that cookies and CSRF behave as in production (same origin).
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 2500 },
  server: {
    proxy: Object.fromEntries(
      ["/graphql", "/auth", "/files", "/jobs", "/admin", "/static"].map((p) => [p, "http://127.0.0.1:8000"]),
    ),
  },
  test: { environment: "jsdom", include: ["src/**/*.test.{ts,tsx}"], setupFiles: ["src/test-setup.ts"] },
});
