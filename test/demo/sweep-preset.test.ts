// The demo sweep preset (resources/demo/sweep.json): it parses, points at the committed files, and its pre-flight
// has the Databricks-style grid: LoRA × r {8, 16} × {attention q,v; all linear} × {32, 4} bits.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SweepSpecSchema } from '../../src-shared/domain/sweep-spec';
import { readSweepSpec } from '../../src-main/cli/actions/sweep';
import { readModelInfo } from '../../src-main/engine/model/load';
import { supportedBaseBits } from '../../src-main/engine/quant/formats';
import { preflight } from '../../src-main/sweep/preflight';

const file = path.resolve(__dirname, '../../resources/demo/sweep.json');

describe('demo sweep preset', () => {
  it('is a valid sweep spec whose paths exist', () => {
    expect(SweepSpecSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8'))).success).toBe(true);
    const spec = readSweepSpec(file);
    for (const p of [spec.model, spec.dataset.path, spec.dataset.validationPath!]) expect(fs.existsSync(p)).toBe(true);
    expect(spec.training.maxSteps).toBeLessThanOrEqual(300);
  });

  it('pre-flights the eight cells with PEFT\'s trainable-parameter counts', async () => {
    const spec = readSweepSpec(file);
    const pf = preflight(spec, { model: await readModelInfo(spec.model), maxSteps: 100, trainExamples: 1, validationExamples: 1, backend: 'wasm' });
    // LoRA adds r·(in + out) per adapted matrix; 4 layers, hidden 128, intermediate 344:
    //   q,v:        2 · r · (128 + 128)                          = 512 r  per layer → r 8: 16,384, r 16: 32,768
    //   all linear: 4 · r · 256 (q,k,v,o) + 3 · r · (128 + 344)  = 2,440 r per layer → r 8: 78,080, r 16: 156,160
    expect(pf.cells.map((c) => [c.cell.r, c.cell.targets, c.cell.bits, c.trainableParams])).toEqual([
      [8, { preset: 'attention-qv' }, 32, 16_384],
      [8, { preset: 'attention-qv' }, 4, 16_384],
      [8, { preset: 'all-linear' }, 32, 78_080],
      [8, { preset: 'all-linear' }, 4, 78_080],
      [16, { preset: 'attention-qv' }, 32, 32_768],
      [16, { preset: 'attention-qv' }, 4, 32_768],
      [16, { preset: 'all-linear' }, 32, 156_160],
      [16, { preset: 'all-linear' }, 4, 156_160],
    ]);
    const fourBit = supportedBaseBits().includes(4) ? 'ok' : 'unavailable';
    expect(pf.cells.map((c) => c.availability.state)).toEqual(pf.cells.map((c) => (c.cell.bits === 32 ? 'ok' : fourBit)));
  });
});
