// What a sweep still has to generate: one job per base (folder × storage) with the base model riding in the widest
// one, full fine-tunes as their own model, checkpoints on request, and only the (author, prompt) pairs without a
// sample of the current decoding (unless forced).
import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../../src-shared/domain/records';
import type { ReviewPrompt, SampleRecord } from '../../src-shared/domain/review';
import { DEFAULT_REVIEW_SETTINGS, decodingOf } from '../../src-shared/domain/review';
import { planGeneration } from '../../src-main/review/generation-plan';
import type { FolderKind } from '../../src-main/review/generation-plan';
import { SPEC } from '../store/fixtures';

const prompt = (id: number): ReviewPrompt => ({ id, sweepId: 1, position: id, text: `p${id}`, fields: { instruction: `p${id}` }, reference: null, source: 'typed', createdAt: '' });
function run(id: number, bits: 32 | 4, status: RunDetail['status'] = 'finished', checkpoints: number[] = []): RunDetail {
  return {
    id, status, step: 20, spec: { model: SPEC.model, base: { bits } }, artifacts: [
      ...checkpoints.map((step, i) => ({ id: 10 * id + i, runId: id, kind: 'checkpoint' as const, step, path: `/out/${id}/checkpoints/${step}`, bytes: 1, createdAt: '' })),
      { id: 100 + id, runId: id, kind: 'adapter' as const, step: 20, path: `/out/${id}`, bytes: 1, createdAt: '' },
    ],
  } as unknown as RunDetail;
}
const kinds = (full: string[] = []) => (dir: string): FolderKind => (full.includes(dir) ? 'model' : dir.includes('/gone') ? null : 'adapter');

describe('generation plan', () => {
  const prompts = [prompt(1), prompt(2)];
  const input = { spec: SPEC, prompts, samples: [] as SampleRecord[], settings: DEFAULT_REVIEW_SETTINGS, force: false };

  it('groups runs by base storage and puts the base model in the widest group', () => {
    const jobs = planGeneration({ ...input, runs: [run(1, 32), run(2, 4), run(3, 4), run(4, 32, 'failed')] }, kinds());
    expect(jobs.map((j) => [j.base?.bits, j.targets.map((t) => t.key)])).toEqual([[32, ['base', 'run-1']], [4, ['run-2', 'run-3']]]);
    expect(jobs[0].targets[0]).toMatchObject({ runId: null, step: null, adapterDir: null, promptIds: [1, 2] });
    expect(jobs[1].targets[0]).toMatchObject({ runId: 2, step: 20, kind: 'final', adapterDir: '/out/2' });
    expect(jobs[0]).toMatchObject({ model: SPEC.model, backend: 'cpu', template: { kind: 'alpaca' }, decoding: decodingOf(DEFAULT_REVIEW_SETTINGS) });
  });

  it('asks only for what is missing with this decoding; force asks for everything', () => {
    const meta = { ...decodingOf(DEFAULT_REVIEW_SETTINGS), kind: 'final' as const, stopReason: 'eos' as const, promptTokens: 1, base: '' };
    const have = (runId: number | null, promptId: number, maxNewTokens = 64) => ({ id: 0, sweepId: 1, runId, promptId, step: runId ? 20 : null, meta: { ...meta, maxNewTokens } } as SampleRecord);
    const samples = [have(null, 1), have(1, 1), have(1, 2), have(null, 2, 16)];
    const jobs = planGeneration({ ...input, samples, runs: [run(1, 32)] }, kinds());
    expect(jobs.map((j) => j.targets.map((t) => [t.key, t.promptIds]))).toEqual([[['base', [2]]]]);
    const forced = planGeneration({ ...input, samples, force: true, runs: [run(1, 32)] }, kinds());
    expect(forced[0].targets.map((t) => t.promptIds)).toEqual([[1, 2], [1, 2]]);
  });

  it('adds checkpoints that still hold an adapter, and gives a full fine-tune its own model', () => {
    const settings = { ...DEFAULT_REVIEW_SETTINGS, atCheckpoints: true };
    const r = run(1, 32, 'finished', [10, 15, 20]);
    r.artifacts[1] = { ...r.artifacts[1], path: '/out/1/gone' };
    const jobs = planGeneration({ ...input, settings, runs: [r, run(2, 32)] }, kinds(['/out/2']));
    expect(jobs.map((j) => [j.model, j.targets.map((t) => t.key)])).toEqual([[SPEC.model, ['base', 'run-1', 'run-1@10']], ['/out/2', ['run-2']]]);
    expect(jobs[1].targets[0]).toMatchObject({ adapterDir: null, runId: 2 });
    expect(jobs[1].base).toBeUndefined();
  });

  it('plans nothing without prompts', () => {
    expect(planGeneration({ ...input, prompts: [], runs: [run(1, 32)] }, kinds())).toEqual([]);
  });
});
