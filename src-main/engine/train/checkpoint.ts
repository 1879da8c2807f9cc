// Trainer checkpoints: everything a run needs to continue bit-for-bit — the adapter (in PEFT's format, so any
// checkpoint is also a usable adapter), AdamW's moments and step, the batch iterator's position, and a hash of
// the run spec. Written into a temporary folder and renamed into place, so a crash mid-write never leaves a
// checkpoint that looks complete; trainer_state.json is written last. What a killed writer leaves (temporary folders
// and files) is never taken for a checkpoint and is removed when the run starts again (removeStaleTemps).
//   <output>/checkpoints/step-000050/{trainables.safetensors, optimizer.safetensors, trainer_state.json,
//                                     adapter_config.json + adapter_model.safetensors (not for full fine-tuning)}
// trainables.safetensors holds every trainable variable by key (what resume restores; for prefix tuning with a
// projection that is the MLP, not the table PEFT's file holds).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { RunSpec } from '../../../src-shared/domain/run-spec';
import { PeftLabError } from '../../../src-shared/errors';
import { saveAdapter } from '../adapters/io';
import type { InjectedAdapter, ModelShape } from '../adapters/types';
import { checkpointWriteEnded, checkpointWriteStarted, faultPoint } from '../fault-hook';
import { writeJsonAtomic } from '../files';
import { SafetensorsFile, writeSafetensorsFile } from '../model/safetensors';
import { storageError } from '../storage-errors';
import type { IteratorState } from './batching';
import type { AdamW } from './optimizer';
import { uniqueParams } from './step';

export interface TrainerState {
  version: 1;
  /** Updates completed. */
  step: number;
  optimizerStep: number;
  iterator: IteratorState;
  specHash: string;
  lastLoss: number | null;
  backend: string;
  savedAt: string;
}

const STATE_FILE = 'trainer_state.json';
const TRAINABLES_FILE = 'trainables.safetensors';

async function tensorsOf(vars: Map<string, tf.Variable>): Promise<{ name: string; dtype: 'F32'; shape: number[]; data: Float32Array }[]> {
  const out: { name: string; dtype: 'F32'; shape: number[]; data: Float32Array }[] = [];
  for (const [name, v] of vars) out.push({ name, dtype: 'F32', shape: v.shape, data: (await v.data()) as Float32Array });
  return out;
}
const OPTIMIZER_FILE = 'optimizer.safetensors';

/** Hash of everything that determines the numbers of a run (not where it writes, how far it goes now, the backend,
 *  or gradient checkpointing, which changes memory and time but not the gradients). */
export function specHash(spec: RunSpec): string {
  const { output: _o, backend: _b, training, ...rest } = spec;
  const { stopAfter: _s, gradientCheckpointing: _g, ...train } = training;
  return createHash('sha256').update(stableJson({ ...rest, training: train })).digest('hex').slice(0, 16);
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export const checkpointsDir = (output: string): string => path.join(output, 'checkpoints');
export const stepDirName = (step: number): string => `step-${String(step).padStart(6, '0')}`;

export async function saveTrainerCheckpoint(
  output: string,
  state: TrainerState,
  adapter: InjectedAdapter,
  optimizer: AdamW,
  model: ModelShape,
  baseModelName: string,
): Promise<string> {
  const root = checkpointsDir(output);
  const final = path.join(root, stepDirName(state.step));
  const tmp = `${final}.partial-${process.pid}`;
  checkpointWriteStarted();
  try {
    fs.mkdirSync(root, { recursive: true });
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp);
    if (!adapter.method.savesFullModel) await saveAdapter(tmp, adapter, model, baseModelName);
    await writeSafetensorsFile(path.join(tmp, TRAINABLES_FILE), await tensorsOf(uniqueParams(adapter.trainables())), { format: 'pt' });
    await writeSafetensorsFile(path.join(tmp, OPTIMIZER_FILE), await tensorsOf(optimizer.stateTensors()), { format: 'pt' });
    faultPoint('state');
    await writeJsonAtomic(path.join(tmp, STATE_FILE), state);
    faultPoint('rename');
    installFolder(tmp, final);
    return final;
  } catch (e) {
    removeQuietly(tmp);
    throw storageError(e, output, 'resume the run: it continues from its last complete checkpoint');
  } finally {
    checkpointWriteEnded();
  }
}

/** Renames the complete `tmp` to `final`; a folder already there (the same step, written before a resume) is moved
 *  aside first and removed after, so a complete checkpoint of every step written stays on disk at every instant. */
function installFolder(tmp: string, final: string): void {
  if (!fs.existsSync(final)) return fs.renameSync(tmp, final);
  const old = `${final}.old-${process.pid}`;
  fs.rmSync(old, { recursive: true, force: true });
  fs.renameSync(final, old);
  fs.renameSync(tmp, final);
  fs.rmSync(old, { recursive: true, force: true });
}

function removeQuietly(p: string): void {
  try {
    fs.rmSync(p, { recursive: true, force: true });
  } catch {
    // best effort: a stale temporary folder is ignored by latestCheckpoint and removed at the next start
  }
}

// What a process killed mid-write leaves behind: checkpoint folders being written, replaced or pruned, and the temp
// files of the atomic writers (safetensors-write: .<name>.<pid>.<hex>.tmp; write-file-atomic: <name>.json.<number>).
const STALE_FOLDER = /^step-\d+\.(partial|old|pruned)-\d+$/;
const STALE_FILE = /^\..+\.\d+\.[0-9a-f]{8}\.tmp$|^.+\.json\.\d+$/;

/** Removes what an earlier, killed writer of this output folder left half-done; returns the names removed. Only
 *  one worker writes an output folder at a time, so anything matching is stale. */
export function removeStaleTemps(output: string): string[] {
  const removed: string[] = [];
  for (const [dir, pattern] of [[output, STALE_FILE], [checkpointsDir(output), STALE_FOLDER]] as const) {
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) {
      if (!pattern.test(name)) continue;
      // Killed between installFolder's two renames: the folder moved aside is the complete checkpoint of its step.
      const moved = /^(step-\d+)\.old-\d+$/.exec(name);
      if (moved && !fs.existsSync(path.join(dir, moved[1]))) {
        fs.renameSync(path.join(dir, name), path.join(dir, moved[1]));
        continue;
      }
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
      removed.push(path.join(dir, name));
    }
  }
  return removed;
}

/** The newest complete checkpoint of a run (folders without trainer_state.json, or partial ones, are skipped), of
 *  update `atMost` or earlier (a host killed before storing the metrics of later updates resumes where they stop). */
export function latestCheckpoint(output: string, atMost = Infinity): { dir: string; state: TrainerState } | null {
  const root = checkpointsDir(output);
  if (!fs.existsSync(root)) return null;
  const dirs = fs.readdirSync(root).filter((d) => /^step-\d+$/.test(d) && Number(d.slice(5)) <= atMost).sort().reverse();
  for (const d of dirs) {
    const file = path.join(root, d, STATE_FILE);
    if (![STATE_FILE, TRAINABLES_FILE, OPTIMIZER_FILE].every((f) => fs.existsSync(path.join(root, d, f)))) continue;
    try {
      return { dir: path.join(root, d), state: JSON.parse(fs.readFileSync(file, 'utf8')) as TrainerState };
    } catch {
      continue; // unreadable state: treat the folder as incomplete, fall back to an older one
    }
  }
  return null;
}

/** Restores adapter values and optimizer state from a checkpoint folder. */
export async function restoreTrainerCheckpoint(dir: string, state: TrainerState, adapter: InjectedAdapter, optimizer: AdamW): Promise<void> {
  const adapterFile = await SafetensorsFile.open(path.join(dir, TRAINABLES_FILE));
  try {
    for (const [key, v] of uniqueParams(adapter.trainables())) {
      if (!adapterFile.has(key)) throw new PeftLabError('RESUME_MISMATCH', `${dir}: checkpoint lacks adapter tensor ${key}`);
      const data = await adapterFile.readFloat32(key);
      tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
    }
  } finally {
    await adapterFile.close();
  }
  const optFile = await SafetensorsFile.open(path.join(dir, OPTIMIZER_FILE));
  try {
    const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const name of optFile.names()) tensors.set(name, { shape: optFile.info(name).shape, data: await optFile.readFloat32(name) });
    optimizer.load(state.optimizerStep, tensors);
  } finally {
    await optFile.close();
  }
}

/** Keeps the newest `keep` checkpoints. */
export function pruneCheckpoints(output: string, keep: number): void {
  const root = checkpointsDir(output);
  if (keep <= 0 || !fs.existsSync(root)) return;
  const dirs = fs.readdirSync(root).filter((d) => /^step-\d+$/.test(d)).sort();
  for (const d of dirs.slice(0, Math.max(0, dirs.length - keep))) {
    // Renamed away first: a kill mid-removal must not leave a half-deleted folder under a checkpoint's name.
    const doomed = path.join(root, `${d}.pruned-${process.pid}`);
    fs.renameSync(path.join(root, d), doomed);
    fs.rmSync(doomed, { recursive: true, force: true });
  }
}
