// `peft-lab demo`: runs the demo preset (resources/demo/sweep.json) through an in-process host, exactly as
// `peft-lab sweep run` does, then in this process scores the base model on the same validation set as the runs
// (so "fine-tuned beats base" is a like-for-like comparison) and asks the base and every finished run the first
// review prompt (a word held out of all training), greedy, stopping at EOS. Prints the summary table and where the
// database is.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandGrid } from '../../../src-shared/domain/grid';
import type { BaseSpec } from '../../../src-shared/domain/base-spec';
import type { RunRecord } from '../../../src-shared/domain/records';
import type { SweepSpec } from '../../../src-shared/domain/sweep-spec';
import { PeftLabError } from '../../../src-shared/errors';
import { loadAdapter } from '../../engine/adapters/io';
import { useBackend } from '../../engine/backends/index';
import { GREEDY, generate } from '../../engine/generate/generate';
import { encodePrompt } from '../../engine/generate/prompt';
import type { CausalLM } from '../../engine/model/causal-lm';
import { loadModel } from '../../engine/model/load';
import { TextTokenizer } from '../../engine/model/tokenizer';
import { prepareData } from '../../engine/train/data-prep';
import { evaluateLoss } from '../../engine/train/evaluate';
import { renderPrompt } from '../../engine/train/templates';
import { cellBase, cellRunSpec } from '../../sweep/cells';
import { printJson, printLines } from '../output';
import { defaultDataDir } from '../data-dir';
import { readSweepSpec, withHost } from './sweep';

export interface DemoCliOptions {
  data?: string;
  json?: boolean;
  /** Another sweep spec to run instead of resources/demo/sweep.json (same review prompt). */
  preset?: string;
}

interface ReviewPrompt {
  instruction: string;
  input?: string;
  output: string;
}

export interface DemoRow {
  label: string;
  status: string;
  trainableParams: number | null;
  seconds: number | null;
  trainLoss: number | null;
  valLoss: number | null;
  output: string | null;
  outputDir: string | null;
}

const MAX_NEW_TOKENS = 48;

/** resources/demo of this checkout. */
export function demoDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../resources/demo');
}

function firstReviewPrompt(file: string): ReviewPrompt {
  const line = fs.readFileSync(file, 'utf8').split('\n').find((l) => l.trim() !== '');
  if (!line) throw new PeftLabError('DATASET_INVALID', `${file} holds no review prompt`);
  return JSON.parse(line) as ReviewPrompt;
}

/** Creates the sweep, runs every runnable cell with the host's workers, returns the runs. */
async function runPreset(spec: SweepSpec, dataDir: string): Promise<{ sweepId: number; runs: RunRecord[] }> {
  return withHost({ data: dataDir }, async (hc, host) => {
    const shown = new Map<number, string>();
    hc.on('run/updated', (r) => {
      // a line when a run changes status, and every 20 updates
      const key = `${r.status}:${Math.floor(r.step / 20)}`;
      if (shown.get(r.id) === key) return;
      shown.set(r.id, key);
      process.stderr.write(`${r.label}: ${r.status} step ${r.step}/${r.maxSteps ?? '?'}${r.lastLoss !== null ? ` loss ${r.lastLoss.toFixed(4)}` : ''}\n`);
    });
    const sweep = await hc.request('sweeps/create', { spec, launch: true });
    await host.services.scheduler.waitIdle();
    return { sweepId: sweep.id, runs: (await hc.request('sweeps/get', { id: sweep.id })).runs };
  });
}

async function answer(model: CausalLM, tok: TextTokenizer, prompt: string): Promise<string> {
  const r = await generate(model, encodePrompt(tok, prompt), { ...GREEDY, maxNewTokens: MAX_NEW_TOKENS, eosTokenIds: tok.eosId === null ? [] : [tok.eosId] }, { tokenizer: tok });
  return (r.text ?? '').trim();
}

const seconds = (r: RunRecord) => (r.startedAt && r.finishedAt ? (Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000 : null);

/** The base model's validation loss and answer, and each finished run's answer (its adapter on its own base). */
async function compare(spec: SweepSpec, runs: RunRecord[], review: ReviewPrompt): Promise<DemoRow[]> {
  await useBackend(spec.backend);
  const tok = await TextTokenizer.fromDir(spec.model);
  const prompt = renderPrompt(spec.template, { instruction: review.instruction, input: review.input ?? '' }, tok);
  const runSpec = cellRunSpec(spec, expandGrid(spec)[0], path.join(os.tmpdir(), 'peft-lab-demo-unused'));
  const data = await prepareData(runSpec, path.dirname(spec.model), tok);
  const models = new Map<string, CausalLM>();
  const modelFor = async (base: BaseSpec | undefined) => {
    const key = JSON.stringify(base ?? null);
    if (!models.has(key)) models.set(key, await loadModel(spec.model, { base }));
    return models.get(key)!;
  };
  try {
    const base = await modelFor(undefined);
    const baseVal = await evaluateLoss(base, data.validation, data.batchOptions);
    const rows: DemoRow[] = [{
      label: 'base model (no fine-tuning)', status: 'base', trainableParams: 0, seconds: null, trainLoss: null,
      valLoss: baseVal.loss, output: await answer(base, tok, prompt), outputDir: null,
    }];
    for (const r of runs) {
      let output: string | null = null;
      if (r.status === 'finished' && r.outputDir) {
        const model = await modelFor(cellBase(r.cell));
        const adapter = await loadAdapter(r.outputDir, model);
        try {
          output = await answer(model, tok, prompt);
        } finally {
          adapter.remove();
        }
      }
      rows.push({ label: r.label, status: r.status, trainableParams: r.trainableParams, seconds: seconds(r), trainLoss: r.lastLoss, valLoss: r.valLoss, output, outputDir: r.outputDir });
    }
    return rows;
  } finally {
    for (const m of models.values()) m.dispose();
  }
}

const num = (x: number | null, digits: number) => (x === null || Number.isNaN(x) ? '—' : x.toFixed(digits));

function table(rows: DemoRow[]): string[] {
  const width = Math.max(...rows.map((r) => r.label.length));
  const head = `${'configuration'.padEnd(width)}  ${'trainable'.padStart(9)}  ${'time'.padStart(6)}  ${'train loss'.padStart(10)}  ${'val loss'.padStart(8)}`;
  return [head, ...rows.map((r) => [
    r.label.padEnd(width),
    (r.trainableParams?.toLocaleString('en-US') ?? '—').padStart(9),
    (r.seconds === null ? '—' : `${r.seconds.toFixed(0)} s`).padStart(6),
    (r.status === 'finished' || r.status === 'base' ? num(r.trainLoss, 4) : r.status).padStart(10),
    num(r.valLoss, 4).padStart(8),
  ].join('  '))];
}

export async function runDemo(o: DemoCliOptions): Promise<void> {
  const started = performance.now();
  const dataDir = path.resolve(o.data ?? defaultDataDir());
  const spec = readSweepSpec(o.preset ?? path.join(demoDir(), 'sweep.json'));
  const review = firstReviewPrompt(path.join(demoDir(), 'data', 'review.jsonl'));
  const { sweepId, runs } = await runPreset(spec, dataDir);
  const sweepSeconds = (performance.now() - started) / 1000;
  const rows = await compare(spec, runs, review);
  const wallSeconds = (performance.now() - started) / 1000;
  const database = path.join(dataDir, 'peft-lab.db');
  if (o.json) {
    printJson({ sweep: spec.name, sweepId, database, runsDir: path.join(dataDir, 'runs'), sweepSeconds, wallSeconds, reviewPrompt: review.instruction, reference: review.output, rows });
  } else {
    printLines([
      `${spec.name}: ${runs.length} runs, ${spec.training.maxSteps ?? '?'} updates each; ${(sweepSeconds / 60).toFixed(1)} min for the sweep, ${(wallSeconds / 60).toFixed(1)} min in all`,
      '',
      ...table(rows),
      '',
      `review prompt (a held-out word): ${review.instruction}`,
      `  WordNet: ${review.output}`,
      ...rows.map((r) => `  ${r.label}: ${r.output ?? `(${r.status})`}`),
      '',
      `database: ${database} (sweep ${sweepId}); adapters under ${path.join(dataDir, 'runs')}`,
    ]);
  }
  if (runs.some((r) => r.status !== 'finished')) process.exitCode = 1;
}
