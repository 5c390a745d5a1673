import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

// Built by `vite build web` from the repository root; the server serves web/dist under a CSP
// without inline scripts, so nothing here may emit inline <script> (Vite's module preload
// polyfill is inlined into the entry chunk, not the HTML, so it is fine).
export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    sourcemap: true,
  },
  server: {
    port: 19010,
    proxy: {
      '/api': 'http://127.0.0.1:8080',
      '/1': 'http://127.0.0.1:8080',
    },
  },
});
