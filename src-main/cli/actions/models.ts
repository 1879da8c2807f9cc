// `peft-lab models …`: the library through an in-process host.
import * as path from 'node:path';
import type { ModelRecord } from '../../../src-shared/domain/records';
import { formatBytes } from '../../engine/plan/memory';
import { printJson, printLines } from '../output';
import { withHost } from './sweep';

export interface ModelsCliOptions {
  dataDir?: string;
  json?: boolean;
}

export function modelLine(m: ModelRecord): string {
  const facts = [
    m.kind === 'weights' ? m.modelType : `${m.modelType} (config only)`,
    `${m.params.toLocaleString('en-US')} params`,
    m.dtype ?? '—',
    m.quantization === 'none' ? null : m.quantization,
    m.hasTokenizer ? 'tokenizer' : 'no tokenizer',
    m.hasChatTemplate ? 'chat template' : null,
    m.diskBytes === null ? null : formatBytes(m.diskBytes),
    m.source ? `from ${m.source.repo}@${m.source.revision}` : null,
  ].filter((x) => x !== null);
  return `${String(m.id).padStart(4)}  ${m.name.padEnd(30)} ${facts.join(' · ')}\n      ${m.path}${m.changed ? `\n      CHANGED since registration: ${m.changed}` : ''}`;
}

function show(m: ModelRecord, o: ModelsCliOptions): void {
  if (o.json) printJson(m);
  else printLines([modelLine(m)]);
}

export async function listModels(o: ModelsCliOptions): Promise<void> {
  const list = await withHost({ data: o.dataDir }, (c) => c.request('models/list', {}));
  if (o.json) return printJson(list);
  printLines(list.length ? list.map(modelLine) : ['no model registered; `peft-lab download REPO_ID` or `peft-lab models register PATH`']);
}

export async function registerModelCli(p: string, o: ModelsCliOptions & { name?: string }): Promise<void> {
  show(await withHost({ data: o.dataDir }, (c) => c.request('models/register', { path: path.resolve(p), name: o.name })), o);
}

export async function removeModel(id: number, o: ModelsCliOptions): Promise<void> {
  await withHost({ data: o.dataDir }, (c) => c.request('models/remove', { id }));
  printLines([`removed model ${id} from the library (its files are still on disk)`]);
}

export async function relocateModel(id: number, p: string, o: ModelsCliOptions): Promise<void> {
  show(await withHost({ data: o.dataDir }, (c) => c.request('models/relocate', { id, path: path.resolve(p) })), o);
}

export async function refreshModel(id: number, o: ModelsCliOptions): Promise<void> {
  show(await withHost({ data: o.dataDir }, (c) => c.request('models/refresh', { id })), o);
}
