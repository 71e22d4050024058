// Builds the dashboard into `dist/`, which the server serves at `/`. `@slipway/core` and
// `@slipway/sdk` are bundled from source (as the tests run them) and tree-shaken: their
// modules have no side effects, so the manifest schemas (zod) and the package packer
// (Node-only) stay out of the browser bundle.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const source = (pkg: string) => fileURLToPath(new URL(`../${pkg}/src/index.ts`, import.meta.url));
const sideEffectFree = /[\\/]packages[\\/](core|sdk)[\\/]src[\\/]/;

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  resolve: { alias: { '@slipway/core': source('core'), '@slipway/sdk': source('sdk') } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: true,
    rollupOptions: { treeshake: { moduleSideEffects: (id: string) => !sideEffectFree.test(id), manualPureFunctions: ['z'] } },
  },
});
