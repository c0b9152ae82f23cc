import react from '@vitejs/plugin-react';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The dashboard: a static single-page app built into dist/dashboard, which the API serves at `/`.
 * `vite --config apps/dashboard/vite.config.mts` serves it with hot reload and forwards API calls to `npm start`.
 */
const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  build: {
    outDir: resolve(here, '../../dist/dashboard'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    sourcemap: false,
  },
  server: {
    proxy: Object.fromEntries(['/v1', '/health', '/docs'].map((path) => [path, process.env['API_URL'] ?? 'http://127.0.0.1:3000'])),
  },
});
