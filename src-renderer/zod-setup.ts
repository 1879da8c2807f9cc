// Imported first by main.ts, before any module builds a zod schema: zod would probe `new Function` (at schema
// construction) to compile fast parsers, and under the app's CSP (no 'unsafe-eval') that probe is reported as a
// violation even though zod catches it. Parsing without the JIT is plenty fast for the renderer's forms.
import { config } from 'zod';

config({ jitless: true });
