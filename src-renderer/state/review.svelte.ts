// One sweep's review: its prompts, settings and generation matrix, kept live by the host's events (outputs stream
// in while they are written, stored samples replace them, generation progress, prompt changes, runs finishing),
// and the actions of the review screen (add/import/remove prompts, save settings, generate, rate).
import type { RatingRecord, ReviewFlag, ReviewSettings } from '../../src-shared/domain/review';
import { playerKey } from '../../src-shared/domain/review';
import type { GenerationStatus, MatrixSample, ReviewMatrix } from '../../src-shared/domain/review-views';
import type { PromptCandidate, TokenChunk } from '../../src-shared/protocol/api';
import type { Host } from '../lib/host';
import { errorMessage } from '../lib/format';
import { cellKey, indexSamples } from '../lib/review-samples';

const RELOAD_MS = 300;

export interface RatingDraft {
  score: number | null;
  flags: ReviewFlag[];
  note: string | null;
}

export class ReviewState {
  matrix = $state.raw<ReviewMatrix | null>(null);
  /** Text streamed for cells whose sample is not stored yet: cellKey → text. */
  live = $state.raw<ReadonlyMap<string, string>>(new Map());
  generation = $state.raw<GenerationStatus | null>(null);
  error = $state<string | null>(null);
  readonly cells = $derived(indexSamples(this.matrix?.samples ?? []));
  readonly ratings = $derived(new Map((this.matrix?.ratings ?? []).map((r) => [r.sampleId, r])));
  private readonly unsubscribe: (() => void)[];
  private reloadTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly host: Host,
    private readonly onError: (err: unknown) => void,
    readonly sweepId: number,
  ) {
    this.unsubscribe = [
      host.on('review/tokens', (e) => { if (e.sweepId === sweepId) this.addTokens(e.chunks); }),
      host.on('review/sample', (s) => { if (s.sweepId === sweepId) this.addSample(s); }),
      host.on('review/generation', (g) => { if (g.sweepId === sweepId) this.generation = g; }),
      host.on('review/prompts', (e) => { if (e.sweepId === sweepId) this.scheduleReload(); }),
      host.on('run/updated', (r) => { if (r.sweepId === sweepId && r.status !== 'running') this.scheduleReload(); }),
    ];
  }

  async load(): Promise<void> {
    try {
      const m = await this.host.request('review/matrix', { sweepId: this.sweepId });
      this.matrix = m;
      this.generation = m.generation;
      this.error = null;
    } catch (err) {
      this.error = errorMessage(err);
      this.onError(err);
    }
  }

  async addTyped(texts: string[]): Promise<void> {
    const prompts = texts.map((t) => t.trim()).filter(Boolean).map((text) => ({ text }));
    if (prompts.length) await this.act(() => this.host.request('review/prompts/add', { sweepId: this.sweepId, prompts }));
  }

  async candidates(): Promise<PromptCandidate[]> {
    try {
      return await this.host.request('review/prompts/candidates', { sweepId: this.sweepId, limit: 50 });
    } catch (err) {
      this.fail(err);
      return [];
    }
  }

  async addCandidates(list: PromptCandidate[]): Promise<void> {
    const prompts = list.map((c) => ({ text: c.text, fields: c.fields, reference: c.reference, source: 'validation' as const }));
    if (prompts.length) await this.act(() => this.host.request('review/prompts/add', { sweepId: this.sweepId, prompts }));
  }

  async importFile(name: string, content: string): Promise<void> {
    const ext = name.toLowerCase().split('.').pop();
    const format = ext === 'csv' ? 'csv' : ext === 'json' ? 'json' : 'jsonl';
    await this.act(() => this.host.request('review/prompts/import', { sweepId: this.sweepId, content, format, name }));
  }

  async removePrompt(id: number): Promise<void> {
    await this.act(() => this.host.request('review/prompts/remove', { id }));
  }

  async saveSettings(settings: ReviewSettings): Promise<void> {
    await this.act(() => this.host.request('review/settings/set', { sweepId: this.sweepId, settings }));
  }

  async generate(force = false): Promise<void> {
    try {
      this.generation = await this.host.request('review/generate', { sweepId: this.sweepId, force });
      this.error = null;
    } catch (err) {
      this.fail(err);
    }
  }

  /** Saves a rating; the matrix shows it at once and the host's answer replaces it. */
  async rate(sampleId: number, draft: RatingDraft): Promise<void> {
    const m = this.matrix;
    if (!m) return;
    const optimistic: RatingRecord = { sampleId, ...draft, updatedAt: new Date().toISOString() };
    this.replaceRating(optimistic);
    try {
      this.replaceRating(await this.host.request('review/rate', { sampleId, score: draft.score, flags: draft.flags, note: draft.note }));
    } catch (err) {
      this.fail(err);
    }
  }

  dispose(): void {
    for (const u of this.unsubscribe) u();
    if (this.reloadTimer !== null) clearTimeout(this.reloadTimer);
  }

  private replaceRating(r: RatingRecord): void {
    const m = this.matrix;
    if (!m) return;
    this.matrix = { ...m, ratings: [...m.ratings.filter((x) => x.sampleId !== r.sampleId), r] };
  }

  private addTokens(chunks: TokenChunk[]): void {
    const next = new Map(this.live);
    for (const c of chunks.filter((x) => x.kind === 'final')) {
      const k = cellKey(playerKey(c.runId), c.promptId);
      next.set(k, (next.get(k) ?? '') + c.text);
    }
    this.live = next;
  }

  private addSample(s: MatrixSample): void {
    const m = this.matrix;
    if (!m) return;
    this.matrix = { ...m, samples: [...m.samples, s] };
    if (s.meta.kind === 'final') {
      const next = new Map(this.live);
      next.delete(cellKey(playerKey(s.runId), s.promptId));
      this.live = next;
    }
  }

  private async act(request: () => Promise<unknown>): Promise<void> {
    try {
      await request();
      this.error = null;
      await this.load();
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    this.error = errorMessage(err);
    this.onError(err);
  }

  private scheduleReload(): void {
    this.reloadTimer ??= setTimeout(() => {
      this.reloadTimer = null;
      void this.load();
    }, RELOAD_MS);
  }
}
