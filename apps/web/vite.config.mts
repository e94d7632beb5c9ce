import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

/**
 * The dashboard builds to dist/web (served by the master at /). Vite 8 transforms TSX with
 * oxc itself; the React plugin only adds fast refresh, which a served build never uses.
 */
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      // Mantine marks its modules "use client" for server-rendering frameworks; a SPA has no server side.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    // `npm run dev:web` proxies the API to a local master.
    proxy: { '/api': process.env.CRAWLNEST_MASTER_URL ?? 'http://127.0.0.1:8080' },
  },
});
