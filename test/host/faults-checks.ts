// What the fault tests check after every fault: that the checkpoints on disk are whole (every step-* folder has all
// its files, every tensor readable, its state naming its step), what stray temporary files a kill left, and whether
// a metric row the host received was lost (a ledger of everything the host's metric writer was handed).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MetricPoint } from '../../src-shared/domain/records';
import { checkpointsDir, latestCheckpoint } from '../../src-main/engine/train/checkpoint';
import type { TrainerState } from '../../src-main/engine/train/checkpoint';
import { SafetensorsFile } from '../../src-main/engine/model/safetensors';
import type { Store } from '../../src-main/store/db';
import type { MetricWriter } from '../../src-main/store/metric-writer';

export interface CheckpointScan {
  /** Steps of the complete checkpoints, ascending. */
  steps: number[];
  /** step-* folders that are not whole (must stay empty). */
  corrupt: string[];
  /** Temporary files and folders of interrupted writes (names under checkpoints/ and the output folder). */
  strays: string[];
  /** The step latestCheckpoint picks (what a resume restores), or null. */
  latest: number | null;
}

const STRAY = /\.partial-\d+$|\.old-\d+$|\.pruned-\d+$|^\..+\.tmp$|\.json\.\d+$/;

async function wholeSafetensors(file: string): Promise<boolean> {
  try {
    const st = await SafetensorsFile.open(file);
    try {
      for (const name of st.names()) await st.readRaw(name);
      return true;
    } finally {
      await st.close();
    }
  } catch {
    return false;
  }
}

async function wholeCheckpoint(dir: string, step: number): Promise<boolean> {
  for (const f of ['trainables.safetensors', 'optimizer.safetensors']) if (!(await wholeSafetensors(path.join(dir, f)))) return false;
  try {
    const state = JSON.parse(fs.readFileSync(path.join(dir, 'trainer_state.json'), 'utf8')) as TrainerState;
    return state.step === step;
  } catch {
    return false;
  }
}

export async function scanCheckpoints(output: string): Promise<CheckpointScan> {
  const root = checkpointsDir(output);
  const names = fs.existsSync(root) ? fs.readdirSync(root) : [];
  const scan: CheckpointScan = { steps: [], corrupt: [], strays: [], latest: latestCheckpoint(output)?.state.step ?? null };
  for (const name of names.sort()) {
    const m = /^step-(\d+)$/.exec(name);
    if (m) {
      if (await wholeCheckpoint(path.join(root, name), Number(m[1]))) scan.steps.push(Number(m[1]));
      else scan.corrupt.push(name);
    } else if (STRAY.test(name)) {
      scan.strays.push(name);
    }
  }
  if (fs.existsSync(output)) scan.strays.push(...fs.readdirSync(output).filter((n) => STRAY.test(n)));
  return scan;
}

/** Every metric point handed to the host's metric writer, by run: the newest value of each (name, step). */
export class MetricLedger {
  private readonly points = new Map<number, Map<string, number | null>>();
  /** A step re-run after a resume gave another value than its first run (training must be deterministic). */
  mismatches = 0;

  constructor(writer: MetricWriter) {
    const push = writer.push.bind(writer);
    writer.push = (runId: number, pts: readonly MetricPoint[]) => {
      for (const p of pts) this.record(runId, p);
      push(runId, pts);
    };
  }

  /** Step of the newest train_loss point handed over for a run (set back by the test when it resumes one). */
  readonly lastStep = new Map<number, number>();

  private record(runId: number, p: MetricPoint): void {
    if (p.name === 'train_loss') this.lastStep.set(runId, p.step);
    let run = this.points.get(runId);
    if (!run) this.points.set(runId, (run = new Map()));
    const key = `${p.name}@${p.step}`;
    const value = Number.isNaN(p.value) ? null : p.value;
    // Throughput differs between attempts by nature; every other metric must repeat bit for bit.
    if (run.has(key) && run.get(key) !== value && p.name !== 'tokens_per_second') this.mismatches += 1;
    run.set(key, value);
  }

  /** Rows received for `runId`. */
  received(runId: number): number {
    return this.points.get(runId)?.size ?? 0;
  }

  /** How many rows the host received for `runId` are missing from SQLite or hold another value. */
  lost(store: Store, runId: number): number {
    const rows = store.db.prepare('SELECT name, step, value FROM metrics WHERE run_id = ?').all(runId) as { name: string; step: number; value: number | null }[];
    const stored = new Map(rows.map((r) => [`${r.name}@${r.step}`, r.value]));
    let lost = 0;
    for (const [key, value] of this.points.get(runId) ?? []) {
      if (!stored.has(key) || stored.get(key) !== value) lost += 1;
    }
    return lost;
  }
}
