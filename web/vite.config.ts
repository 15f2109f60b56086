// Builds the dashboard into the Python package, where `paperdesk serve` serves it at /.
/// <reference types="node" />
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { defineConfig, type Plugin } from "vite";

const OUT_DIR = "../src/paperdesk/api/dashboard/dist";

// Swagger UI's script and style for the API's docs page (/api/v1/docs), served by
// `paperdesk serve` from the build so the page works offline (FastAPI's default loads a CDN).
function swaggerUi(): Plugin {
  const require = createRequire(import.meta.url);
  const source = dirname(require.resolve("swagger-ui-dist/package.json"));
  return {
    name: "paperdesk-swagger-ui",
    apply: "build",
    closeBundle() {
      const target = resolve(OUT_DIR, "swagger");
      mkdirSync(target, { recursive: true });
      for (const name of ["swagger-ui-bundle.js", "swagger-ui.css"]) {
        copyFileSync(join(source, name), join(target, name));
      }
    },
  };
}

export default defineConfig({
  base: "/",
  plugins: [swaggerUi()],
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    assetsDir: "assets",
    // no inline assets: the Content-Security-Policy allows files from this server only
    assetsInlineLimit: 0,
    sourcemap: false,
    target: "es2022",
  },
  server: {
    // `npm run dev`: the API of a local `paperdesk serve` behind Vite's dev server
    proxy: {
      "/api": "http://127.0.0.1:8000",
      "/ws": { target: "ws://127.0.0.1:8000", ws: true },
    },
  },
});
