// Lint with the layering rules of ../shared/DESIGN.md: src-shared imports nothing platform-specific,
// the engine never imports electron, the renderer imports only src-shared.
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'url', 'stream'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'resources/**', 'test-results/**', '**/*.svelte'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['src-shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: nodeBuiltins, message: 'src-shared must stay platform-neutral (no Node built-ins).' },
          { group: ['electron', 'better-sqlite3', '@tensorflow/*', 'webgpu'], message: 'src-shared must stay platform-neutral.' },
          { group: ['**/src-main/**', '**/src-renderer/**'], message: 'src-shared imports nothing from other layers.' },
        ],
      }],
    },
  },
  {
    files: ['src-main/engine/**/*.ts', 'src-main/worker/**/*.ts', 'src-main/cli/**/*.ts', 'src-main/host/**/*.ts', 'src-main/store/**/*.ts', 'src-main/sweep/**/*.ts', 'src-main/hub/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron'], message: 'Only src-main/shell may import electron; everything else runs in plain Node.' },
          { group: ['**/src-renderer/**'], message: 'The main side never imports the renderer.' },
        ],
      }],
    },
  },
  {
    files: ['src-renderer/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: nodeBuiltins, message: 'The renderer has no Node access; talk to the host through the protocol.' },
          { group: ['electron', '**/src-main/**', 'better-sqlite3', '@tensorflow/*'], message: 'The renderer imports only src-shared.' },
        ],
      }],
    },
  },
);
