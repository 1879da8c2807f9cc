// electron-vite builds the three Electron targets from this repository's layout (src-main / src-renderer instead
// of electron-vite's default src/main, src/preload, src/renderer). Output: out/main, out/preload, out/renderer.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // Three entries: the window shell, the host it forks as a utility process (out/main/utility-entry.js), and the
      // run worker the host starts per run (out/main/worker.js, see src-main/host/runs/worker-command.ts).
      lib: {
        entry: {
          main: resolve(__dirname, 'src-main/shell/main.ts'),
          'utility-entry': resolve(__dirname, 'src-main/host/utility-entry.ts'),
          worker: resolve(__dirname, 'src-main/worker/run-worker.ts'),
        },
      },
      rollupOptions: {
        // The engine's native/wasm packages are loaded at run time from node_modules, not bundled.
        external: ['electron', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      lib: { entry: resolve(__dirname, 'src-main/shell/preload.ts') },
      // A sandboxed preload must be CommonJS (Electron loads ESM preloads only without the sandbox).
      rollupOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    base: './',
    plugins: [svelte()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      minify: true,
      rollupOptions: { input: resolve(__dirname, 'src-renderer/index.html') },
    },
  },
});
