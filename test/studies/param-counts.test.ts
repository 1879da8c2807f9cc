// Trainable-parameter counts the study presets rely on, derived by hand from peft-spec.md: LoRA r·(n+m) per module
// (§1.3), MoRA r̂² with r̂ = ⌊√((n+m)·r) + 0.5⌋, even for type 6 (§3.1, §3.5); the equal-budget MoRA rank; and the
// trainable column of "Which r and which modules?" as the pre-flight stores it with every run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandGrid } from '../../src-shared/domain/grid';
import { readModelInfo } from '../../src-main/engine/model/load';
import { moraRankForLora, trainableCount } from '../../src-main/studies/param-match';
import { studyPreset } from '../../src-main/studies/registry';
import { preflight } from '../../src-main/sweep/preflight';
import { DEMO_DIR, testEnv } from './synthetic-store';

const QV = ['q_proj', 'v_proj'];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-params-'));
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(testEnv().generatedDir, { recursive: true, force: true });
});

// Demo model: H 128, I 344, 4 layers, 4 heads = 4 kv heads. q,k,v,o: n + m = 256; gate, up, down: n + m = 472.
const demo = () => readModelInfo(path.join(DEMO_DIR, 'model'));

describe('LoRA and MoRA counts on the demo model', () => {
  it('LoRA: r·(n+m) per module', async () => {
    const m = await demo();
    expect(trainableCount(m, 'lora', 8, QV)).toBe(8 * 256 * 2 * 4); // 16,384
    expect(trainableCount(m, 'lora', 16, QV)).toBe(16 * 256 * 2 * 4); // 32,768
    expect(trainableCount(m, 'lora', 8, 'all-linear')).toBe(4 * (4 * 8 * 256 + 3 * 8 * 472)); // 78,080
  });

  it('MoRA: r̂² per module, r̂ = ⌊√((n+m)·r) + 0.5⌋ (type 6: down to even)', async () => {
    const m = await demo();
    // √(256·8) = 45.25 → 45; 45² = 2,025 per module, 8 modules
    expect(trainableCount(m, 'mora', 8, QV)).toBe(16_200);
    // √(256·7) = 42.33 → 42 (1,764); √(256·9) = 48 (2,304)
    expect(trainableCount(m, 'mora', 7, QV)).toBe(14_112);
    expect(trainableCount(m, 'mora', 9, QV)).toBe(18_432);
    // all linear: 4·45² + 3·61² (√(472·8) = 61.45 → 61) = 8,100 + 11,163 per layer
    expect(trainableCount(m, 'mora', 8, 'all-linear')).toBe(4 * 19_263);
    // type 6: 45 → 44, 44² = 1,936
    expect(trainableCount(m, 'mora', 8, QV, 6)).toBe(8 * 1936);
  });

  it('matches LoRA r=8 with MoRA r=8: 16,200 against 16,384 (r=7 is 2,272 short, r=9 2,048 over)', async () => {
    const b = moraRankForLora(await demo(), 8, QV);
    expect(b).toEqual({ loraR: 8, moraR: 8, loraParams: 16_384, moraParams: 16_200, relativeGap: 184 / 16_384 });
  });
});

describe('equal budget on a GQA model', () => {
  it('H 64, I 160, 3 layers, 8 heads / 2 kv heads: LoRA r=4 on q,v is 2,496; MoRA r=4 is 2,559, the closest', async () => {
    const dir = path.join(tmp, 'gqa');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({
      model_type: 'llama', vocab_size: 100, hidden_size: 64, intermediate_size: 160, num_hidden_layers: 3,
      num_attention_heads: 8, num_key_value_heads: 2, tie_word_embeddings: true,
    }));
    const m = await readModelInfo(dir);
    // q: 64 → 64 (n+m 128), v: 64 → 16 (n+m 80). LoRA: 3·(4·128 + 4·80) = 2,496.
    // MoRA r=4: √512 = 22.6 → 23 (529), √320 = 17.9 → 18 (324): 3·853 = 2,559, gap 63.
    // MoRA r=3: √384 = 19.6 → 20 (400), √240 = 15.5 → 15 (225): 3·625 = 1,875, gap 621.
    expect(moraRankForLora(m, 4, QV)).toEqual({ loraR: 4, moraR: 4, loraParams: 2496, moraParams: 2559, relativeGap: 63 / 2496 });
    expect(trainableCount(m, 'mora', 3, QV)).toBe(1875);
    // type 6 at r=4: 23 → 22 (484), 18 (324): 3·808 = 2,424; at r=5: 25 → 24 (576), 20 (400): 2,928 → r=4 again
    expect(moraRankForLora(m, 4, QV, 6)).toMatchObject({ moraR: 4, moraParams: 2424 });
  });
});

describe('"Which r and which modules?" trainable column', () => {
  it('stores PEFT\'s count for every cell, the same at 4 and 32 bits', async () => {
    const spec = await studyPreset('which-r-modules').build(testEnv(), 'quick');
    const pf = preflight(spec, { model: await demo(), maxSteps: 40, trainExamples: 100, validationExamples: 10, backend: 'cpu' });
    const byCell = Object.fromEntries(pf.cells.map((c) => [`${c.cell.r}|${'preset' in c.cell.targets ? c.cell.targets.preset : ''}|${c.cell.bits}`, c.trainableParams]));
    for (const bits of [32, 4]) {
      expect(byCell[`8|attention-qv|${bits}`]).toBe(16_384);
      expect(byCell[`16|attention-qv|${bits}`]).toBe(32_768);
      expect(byCell[`8|all-linear|${bits}`]).toBe(78_080);
      expect(byCell[`16|all-linear|${bits}`]).toBe(4 * (4 * 16 * 256 + 3 * 16 * 472)); // 156,160
    }
    expect(expandGrid(spec)).toHaveLength(8);
  });
});
