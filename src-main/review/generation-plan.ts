// What a sweep still has to generate for review, as worker jobs: every finished run's adapter (and, when asked,
// each checkpoint that still holds one) and the base model once, for every review prompt that has no sample with
// the current decoding yet. Runs that share a base (model folder and bit width) share one job, so the base loads
// once and the adapters are switched on it; the base model's own outputs ride along in the job of the widest base.
// A full fine-tune's output is a whole model folder: it gets a job of its own.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunDetail } from '../../src-shared/domain/records';
import type { ReviewPrompt, ReviewSettings, SampleRecord } from '../../src-shared/domain/review';
import { decodingKey, decodingOf } from '../../src-shared/domain/review';
import type { RunSpec } from '../../src-shared/domain/run-spec';
import type { SweepSpec } from '../../src-shared/domain/sweep-spec';
import type { GenerateJob, GenerateTarget } from '../../src-shared/protocol/worker';

export interface PlanInput {
  spec: SweepSpec;
  runs: RunDetail[];
  prompts: ReviewPrompt[];
  samples: SampleRecord[];
  settings: ReviewSettings;
  /** Generate again even where a sample with this decoding exists. */
  force: boolean;
}

export type FolderKind = 'adapter' | 'model' | null;

/** Whether a folder holds a PEFT adapter, a whole model, or neither (pruned checkpoint). */
export function folderKind(dir: string): FolderKind {
  if (fs.existsSync(path.join(dir, 'adapter_config.json'))) return 'adapter';
  if (fs.existsSync(path.join(dir, 'config.json'))) return 'model';
  return null;
}

const sampleKey = (runId: number | null, promptId: number, step: number | null) => `${runId ?? 'base'}|${promptId}|${step ?? '-'}`;

interface Group { model: string; base: RunSpec['base']; bits: number; targets: GenerateTarget[] }

function runTargets(run: RunDetail, atCheckpoints: boolean, kindOf: (dir: string) => FolderKind): { target: Omit<GenerateTarget, 'promptIds'>; kind: FolderKind }[] {
  const out: { target: Omit<GenerateTarget, 'promptIds'>; kind: FolderKind }[] = [];
  const adapter = [...run.artifacts].reverse().find((a) => a.kind === 'adapter');
  if (adapter) {
    out.push({ target: { key: `run-${run.id}`, runId: run.id, step: adapter.step ?? run.step, kind: 'final', adapterDir: adapter.path }, kind: kindOf(adapter.path) });
  }
  if (!atCheckpoints) return out;
  const finalStep = adapter?.step ?? run.step;
  for (const c of run.artifacts.filter((a) => a.kind === 'checkpoint' && a.step !== null && a.step < finalStep)) {
    const kind = kindOf(c.path);
    if (kind) out.push({ target: { key: `run-${run.id}@${c.step}`, runId: run.id, step: c.step, kind: 'checkpoint', adapterDir: c.path }, kind });
  }
  return out;
}

export function planGeneration(input: PlanInput, kindOf: (dir: string) => FolderKind = folderKind): GenerateJob[] {
  const decoding = decodingOf(input.settings);
  const key = decodingKey(decoding);
  const have = new Set(input.samples.filter((s) => !input.force && decodingKey(s.meta) === key).map((s) => sampleKey(s.runId, s.promptId, s.step)));
  const missing = (runId: number | null, step: number | null) => input.prompts.map((p) => p.id).filter((id) => !have.has(sampleKey(runId, id, step)));
  const groups = new Map<string, Group>();
  const groupFor = (model: string, base: RunSpec['base']): Group => {
    const k = JSON.stringify([model, base ?? null]);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { model, base, bits: base?.bits ?? 32, targets: [] }));
    return g;
  };
  for (const run of input.runs.filter((r) => r.status === 'finished')) {
    const spec = run.spec as RunSpec;
    for (const { target, kind } of runTargets(run, input.settings.atCheckpoints, kindOf)) {
      const promptIds = missing(target.runId, target.step);
      if (!kind || promptIds.length === 0) continue;
      if (kind === 'model') groupFor(target.adapterDir!, undefined).targets.push({ ...target, adapterDir: null, promptIds });
      else groupFor(spec.model, spec.base).targets.push({ ...target, promptIds });
    }
  }
  const basePrompts = missing(null, null);
  if (basePrompts.length > 0 && input.prompts.length > 0) {
    const widest = [...groups.values()].filter((g) => g.model === input.spec.model).sort((a, b) => b.bits - a.bits)[0] ?? groupFor(input.spec.model, undefined);
    widest.targets.unshift({ key: 'base', runId: null, step: null, kind: 'final', adapterDir: null, promptIds: basePrompts });
  }
  const prompts = input.prompts.map((p) => ({ id: p.id, fields: p.fields }));
  return [...groups.values()].filter((g) => g.targets.length > 0).map((g) => ({
    model: g.model, ...(g.base ? { base: g.base } : {}), backend: input.spec.backend, template: input.spec.template, decoding, prompts, targets: g.targets,
  }));
}
