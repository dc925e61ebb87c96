import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// The portal is served from the API's origin: `/` for the app, `/v1` for the API (SPEC §8).
export default defineConfig({
  plugins: [preact()],
  build: { target: 'es2022', sourcemap: false },
  server: { proxy: { '/v1': `http://127.0.0.1:${process.env.HTTP_PORT ?? 3000}` } },
});
