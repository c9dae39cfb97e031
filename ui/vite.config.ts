/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The app is served by infracast-proxy from ui/dist under a strict Content-Security-Policy
// (script-src 'self'): Vite emits module scripts only, never inline ones, and the module-preload
// polyfill is bundled into the entry chunk instead of inlined.
export default defineConfig({
  plugins: [react()],
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npm run dev` talks to a proxy started by hand (see docs/ui.md).
    proxy: { '/api': process.env.INFRACAST_API ?? 'http://127.0.0.1:8080' },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
