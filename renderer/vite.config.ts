// Builds the renderer into renderer/dist: a static bundle that the browser-mode bridge serves
// and Electron loads. Everything is local: Monaco comes from the monaco-editor package (its
// workers are bundled by Vite), nothing is fetched from a CDN. `base: './'` keeps asset URLs
// relative so the same bundle works from the bridge and from a file:// or custom protocol.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Monaco is one lazy chunk of a few MB; everything a view needs first stays small.
    chunkSizeWarningLimit: 6000,
    reportCompressedSize: false,
    // Monaco's build is slow by nature; the timing report it triggers is noise in `npm install`.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  worker: { format: 'es' },
  server: { strictPort: false },
});
