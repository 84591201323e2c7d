import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

// The local stack serves dist/ at / (make run); the API is on the same origin.
export default defineConfig({
  plugins: [preact()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
  worker: { format: "es" },
  server: { proxy: { "^/(listings|me|operator|sandbox|webhooks|openapi.json)": "http://127.0.0.1:3000" } },
});
