// The sweep being built: the form's fields (deeply reactive, bound to inputs), the spec they make (or the problems
// that stop it), and the grid that spec expands to, recomputed on every edit.
import { expandGrid } from '../../src-shared/domain/grid';
import type { SweepCell } from '../../src-shared/domain/sweep-spec';
import type { DraftCheck, DraftFields } from '../lib/draft-spec';
import { checkDraft, defaultDraft } from '../lib/draft-spec';
import type { TemplateDraft } from '../lib/template-draft';

function defaultName(): string {
  const d = new Date();
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `sweep ${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export interface DraftSource {
  modelPath?: string;
  datasetPath?: string;
  template?: TemplateDraft;
  maxLength?: number;
}

export class SweepDraft {
  fields = $state<DraftFields>({ ...defaultDraft(), name: defaultName() });
  check: DraftCheck = $derived(checkDraft($state.snapshot(this.fields) as DraftFields));
  cells: SweepCell[] = $derived(this.check.spec ? expandGrid(this.check.spec) : []);
  /** The spec as JSON: the identity of what the pre-flight was asked about. */
  specJson: string | null = $derived(this.check.spec ? JSON.stringify(this.check.spec) : null);

  /** Starts from what the preview showed (model, dataset, template, max length). */
  adopt(src: DraftSource): void {
    if (src.modelPath) this.fields.modelPath = src.modelPath;
    if (src.datasetPath) this.fields.datasetPath = src.datasetPath;
    if (src.template) this.fields.template = { ...src.template };
    if (src.maxLength) this.fields.maxLength = src.maxLength;
  }

  /** A fresh name for the next sweep; everything else stays for the next variation. In place: forms hold `fields`. */
  renameForNext(): void {
    this.fields.name = defaultName();
  }

  reset(): void {
    Object.assign(this.fields, { ...defaultDraft(), name: defaultName() });
  }
}
