// Loaded with `node --import` before the CLI: a module resolve hook that fails any import of TensorFlow.js,
// better-sqlite3 or the host, so a test can show that a command got as far as it did without loading them.
import { register } from 'node:module';

register('data:text/javascript,' + encodeURIComponent(`
const HEAVY = [/^@tensorflow\\//, /^better-sqlite3$/, /\\/src-main\\/host\\/host\\.ts$/];
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (HEAVY.some((re) => re.test(specifier) || re.test(r.url))) throw new Error('heavy import: ' + specifier);
  return r;
}`));
