// Builds the dashboard into the Python package, where `paperdesk serve` serves it at /.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  build: {
    outDir: "../src/paperdesk/api/dashboard/dist",
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
