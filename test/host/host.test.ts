// The host end to end in one process: register, pre-flight a 2×2 grid (PEFT's counts derived by hand), launch,
// every run trained by its own worker, metrics and artifacts stored, history downsampled, everything still there
// after the host restarts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src-shared/domain/records';
import { openStore } from '../../src-main/store/db';
import { startHost, tinySweep, writeTinyStudy } from './helpers';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peft-host-'));
const dataDir = path.join(root, 'data');
let study: Awaited<ReturnType<typeof writeTinyStudy>>;
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  study = await writeTinyStudy(root);
});

// Tiny model: H 32, I 64, 2 layers, 4 heads of 8, 2 kv heads (kv dim 16). Per layer and unit of r:
// q 32+32 = 64, k 32+16 = 48, v 48, o 64, gate 32+64 = 96, up 96, down 64+32 = 96.
// attention q,v: (64 + 48)·2 layers = 224 r; all linear: (64+48+48+64+96+96+96)·2 = 1024 r.
const EXPECTED: Record<string, number> = {
  'lora|r2|attention-qv': 448, 'lora|r2|all-linear': 2048, 'lora|r4|attention-qv': 896, 'lora|r4|all-linear': 4096,
};

describe('host', () => {
  it('registers, pre-flights, runs a 2×2 sweep in workers and keeps everything across a restart', async () => {
    const { client, host, close } = await startHost(dataDir);
    const model = await client.request('models/register', { path: study.modelDir });
    expect(model).toMatchObject({ kind: 'weights', modelType: 'llama', hiddenSize: 32, numLayers: 2, hasTokenizer: true, dtype: 'F32' });
    const ds = await client.request('datasets/register', { path: study.dataFile });
    expect(ds).toMatchObject({ records: 12, format: 'jsonl', fields: ['instruction', 'output'] });
    const preview = await client.request('datasets/preview', {
      datasetId: ds.id, modelId: model.id, template: { kind: 'custom', prompt: '{instruction}\n', response: '{output}' }, sequence: { maxLength: 64 }, count: 2,
    });
    expect(preview.examples[1]).toMatchObject({ prompt: 'Say the number 1.\n', response: '1 1 1', truncated: false });

    const spec = tinySweep(study);
    const pf = await client.request('sweeps/preflight', { spec });
    expect(pf.maxSteps).toBe(20);
    expect(pf.trainExamples + pf.validationExamples).toBe(12);
    for (const c of pf.cells) {
      expect(c.availability.state).toBe('ok');
      expect(c.trainableParams).toBe(EXPECTED[c.cell.key.split('|').slice(0, 3).join('|')]);
      expect(c.fits).toBe(true);
    }

    const updates: RunRecord[] = [];
    client.on('run/updated', (r) => updates.push(r));
    const sweep = await client.request('sweeps/create', { spec, launch: true });
    await host.services.scheduler.waitIdle();
    const { runs } = await client.request('sweeps/get', { id: sweep.id });
    expect(runs.map((r) => r.status)).toEqual(['finished', 'finished', 'finished', 'finished']);
    for (const r of runs) {
      expect(r).toMatchObject({ step: 20, maxSteps: 20, backend: 'wasm', trainableParams: EXPECTED[r.cellKey.split('|').slice(0, 3).join('|')] });
      expect(r.peakMemoryBytes).toBeGreaterThan(0);
      // Measured base storage: a float32 base holds every parameter in 4 bytes.
      expect(r).toMatchObject({ baseFormat: expect.stringMatching(/^(float32|f32|fp32)/), baseBitsPerWeight: 32 });
      expect(r.baseWeightBytes).toBe(4 * model.params);
      expect(fs.existsSync(path.join(r.outputDir!, 'adapter_model.safetensors'))).toBe(true);
    }
    expect(updates.some((u) => u.status === 'running' && u.step > 0 && u.step < 20)).toBe(true); // live progress
    const detail = await client.request('runs/get', { id: runs[0].id });
    expect(detail.artifacts.filter((a) => a.kind === 'checkpoint').map((a) => a.step)).toEqual([10, 20]);
    expect(detail.artifacts.some((a) => a.kind === 'adapter')).toBe(true);
    expect(detail.events.map((e) => e.type)).toEqual(expect.arrayContaining(['start', 'eval', 'checkpoint', 'finished']));
    expect(detail.libraryVersions?.tfjs).toBe('4.22.0');

    const [loss, val] = await client.request('metrics/series', { runIds: [runs[0].id], names: ['train_loss', 'val_loss'], maxPoints: 10 });
    expect(loss).toMatchObject({ total: 20, lastStep: 20 });
    expect(loss.points).toHaveLength(10); // downsampled (LTTB keeps the first and last points)
    expect(loss.points[0][0]).toBe(1);
    expect(loss.points[9][0]).toBe(20);
    expect(val.points.map((p) => p[0])).toEqual([10, 20]);
    await close();

    const again = await startHost(dataDir);
    const sweeps = await again.client.request('sweeps/list', {});
    expect(sweeps).toHaveLength(1);
    expect(sweeps[0]).toMatchObject({ status: 'finished', counts: { finished: 4 } });
    const [full] = await again.client.request('metrics/series', { runIds: [runs[3].id], names: ['train_loss'], maxPoints: 1000 });
    expect(full.points.map((p) => p[0])).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // A whole sweep at once (a chart opening before its runs are listed): every run, ascending id.
    const bySweep = await again.client.request('metrics/series', { sweepId: sweeps[0].id, names: ['train_loss'], maxPoints: 10 });
    expect(bySweep.map((s) => s.runId)).toEqual(runs.map((r) => r.id).sort((a, b) => a - b));
    expect(bySweep.every((s) => s.total === 20 && s.points.length === 10)).toBe(true);
    await expect(again.client.request('metrics/series', { names: ['train_loss'] })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
    await again.close();
    const store = openStore(path.join(dataDir, 'peft-lab.db'));
    expect(store.integrityCheck()).toBe('ok');
    store.close();
  });

  it('probes the time of a cell in a worker and reports the backends and the host\'s event-loop lag', async () => {
    const { client, close } = await startHost(path.join(root, 'data3'));
    const info = await client.request('app/info', {});
    expect(info.backends.find((b) => b.name === 'wasm')?.available).toBe(true);
    expect(info.eventLoopLag.p99).toBeGreaterThanOrEqual(0);
    const spec = tinySweep(study, { axes: { r: [2], targets: [{ preset: 'attention-qv' }, { preset: 'all-linear' }] } });
    const progress: number[] = [];
    const cells = await client.request('sweeps/probe', { spec, cellKeys: [`lora|r2|all-linear|b32|a4|lr0.01|s42`] }, { onProgress: (p) => progress.push(p.done) });
    expect(progress).toEqual([1]);
    const probed = cells.find((c) => c.cell.targets && 'preset' in c.cell.targets && c.cell.targets.preset === 'all-linear')!;
    expect(probed.stepSeconds).toBeGreaterThan(0);
    expect(probed.estimatedSeconds).toBeCloseTo(probed.stepSeconds! * 20, 6);
    expect(cells.find((c) => c !== probed)!.stepSeconds).toBeNull(); // not asked for
    await close();
  });

  it('plans the Databricks OpenLLaMA-3B grid from a config-only model card: PEFT counts, memory, does not fit wasm', async () => {
    const { client, close } = await startHost(path.join(root, 'data4'));
    const card = path.resolve(__dirname, '../../resources/model-cards/open_llama_3b_v2');
    expect(await client.request('models/register', { path: card })).toMatchObject({ kind: 'config', params: 3_426_473_600, hasTokenizer: false });
    await client.request('datasets/register', { path: study.dataFile });
    const pf = await client.request('sweeps/preflight', {
      spec: tinySweep({ modelDir: card, dataFile: study.dataFile }, { axes: { r: [8, 16], targets: [{ preset: 'attention-qv' }, { preset: 'all-linear' }], bits: [32, 4] } }),
    });
    const ok = pf.cells.filter((c) => c.availability.state === 'ok');
    // r 8 q,v: 26·2·8·6400 = 2,662,400; r 16 all linear: 26·16·30,560 = 12,712,960·2 = 25,425,920 (see test/engine/plan).
    // Every cell runs at 32 and at 4 bits (grid order: r, targets, bits).
    expect(ok.map((c) => c.trainableParams)).toEqual([2_662_400, 2_662_400, 12_712_960, 12_712_960, 5_324_800, 5_324_800, 25_425_920, 25_425_920]);
    const fp32 = ok.filter((c) => c.cell.bits === 32);
    expect(fp32.every((c) => c.fits === false)).toBe(true); // 12.8 GiB of float32 weights > the wasm heap
    const fourBit = pf.cells.filter((c) => c.cell.bits === 4);
    // 4-bit: decoder linears at 4.127 bits, embeddings, norms and lm_head in float32.
    const linear = 26 * (4 * 3200 * 3200 + 3 * 3200 * 8640);
    expect(fourBit[0].memory!.baseWeightBytes).toBe(Math.ceil((linear * (4 + 8 / 64 + 32 / 16384)) / 8 + (3_426_473_600 - linear) * 4));
    expect(pf.trainExamples + pf.validationExamples).toBe(12);
    await close();
  });

  it('rejects bad payloads with the field named and keeps serving', async () => {
    const { client, close } = await startHost(path.join(root, 'data2'));
    await expect(client.request('runs/get', { id: -3 } as never)).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringContaining('runs/get: id') });
    await expect(client.request('nope/nothing' as never, {} as never)).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringContaining('unknown method') });
    await expect(client.request('models/register', { path: path.join(root, 'missing') })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect(await client.request('models/list', {})).toEqual([]);
    await close();
  });
});
