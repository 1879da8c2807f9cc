// The sweep builder's form becomes the SweepSpec the host validates, and the grid laid out from it matches the
// host's expansion: the 2×2 of r × targets used by the end-to-end test, and the problems an incomplete form shows.
import { describe, expect, it } from 'vitest';
import { expandGrid } from '../../src-shared/domain/grid';
import { checkDraft, defaultDraft } from '../../src-renderer/lib/draft-spec';
import type { DraftFields } from '../../src-renderer/lib/draft-spec';
import { gridLayout } from '../../src-renderer/lib/grid-layout';
import { toggleInOrder, toggleNumber, parseModuleList } from '../../src-renderer/lib/axis-values';

function draft(over: Partial<DraftFields> = {}): DraftFields {
  return { ...defaultDraft(), name: 'grid', modelPath: '/m', datasetPath: '/d.jsonl', ...over };
}

describe('checkDraft', () => {
  it('turns the form into a valid spec with the sweep axes', () => {
    const { spec, problems } = checkDraft(draft({ ranks: [2, 4], targets: [{ preset: 'attention-qv' }, { preset: 'all-linear' }], maxSteps: 30, batchSize: 4, evalEvery: 10, maxLength: 128 }));
    expect(problems).toEqual([]);
    expect(spec?.training).toMatchObject({ maxSteps: 30, batchSize: 4, evalEvery: 10 });
    expect(spec?.training.epochs).toBeUndefined();
    expect(spec?.axes.loraAlpha).toBeUndefined();
    const cells = expandGrid(spec!);
    expect(cells.map((c) => c.label)).toEqual([
      'lora · r=2 · attention q,v · 32-bit', 'lora · r=2 · all linear · 32-bit',
      'lora · r=4 · attention q,v · 32-bit', 'lora · r=4 · all linear · 32-bit',
    ]);
    const layout = gridLayout(cells);
    expect(layout.rows.map((r) => r.label)).toEqual(['lora · r=2', 'lora · r=4']);
    expect(layout.cols.map((c) => c.label)).toEqual(['attention q,v · 32-bit', 'all linear · 32-bit']);
  });

  it('uses epochs instead of max steps when asked, and adds optional axes only when chosen', () => {
    const { spec } = checkDraft(draft({ length: 'epochs', epochs: 2, seeds: [1, 2], learningRates: [1e-4, 2e-4] }));
    expect(spec?.training.maxSteps).toBeUndefined();
    expect(spec?.training.epochs).toBe(2);
    expect(expandGrid(spec!)).toHaveLength(2 * 1 * 2 * 2 * 1);
  });

  it('carries the gradient checkpointing checkbox into the spec (off by default)', () => {
    expect(defaultDraft().gradientCheckpointing).toBe(false);
    expect(checkDraft(draft()).spec?.training.gradientCheckpointing).toBe(false);
    expect(checkDraft(draft({ gradientCheckpointing: true })).spec?.training.gradientCheckpointing).toBe(true);
  });

  it('names what is missing instead of making a spec', () => {
    const { spec, problems } = checkDraft({ ...defaultDraft(), name: '', ranks: [], batchSize: Number.NaN });
    expect(spec).toBeNull();
    expect(problems).toContain('Model: choose a registered model');
    expect(problems).toContain('Dataset: choose a registered dataset');
    expect(problems.some((p) => p.startsWith('Sweep name:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('r values:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('training.batchSize:'))).toBe(true);
  });
});

describe('axis values', () => {
  it('toggles numbers in sorted order and enum values in their canonical order', () => {
    expect(toggleNumber([8, 16], 4)).toEqual([4, 8, 16]);
    expect(toggleNumber([4, 8], 8)).toEqual([4]);
    expect(toggleInOrder(['qlora'], 'lora', ['lora', 'qlora', 'mora'])).toEqual(['lora', 'qlora']);
  });

  it('parses a custom module list', () => {
    expect(parseModuleList(' q_proj, k_proj  v_proj,q_proj ')).toEqual(['q_proj', 'k_proj', 'v_proj']);
  });
});

describe('gridLayout', () => {
  it('puts methods that ignore r and targets on one row, once per bit width (under the first targets column)', () => {
    const { spec } = checkDraft(draft({ methods: ['lora', 'ia3'], ranks: [8, 16], targets: [{ preset: 'attention-qv' }, { preset: 'all-linear' }], bits: [32] }));
    const layout = gridLayout(expandGrid(spec!));
    expect(layout.rows.map((r) => r.label)).toEqual(['lora · r=8', 'lora · r=16', 'ia3']);
    expect(layout.cols.map((c) => c.label)).toEqual(['attention q,v · 32-bit', 'all linear · 32-bit']);
    expect(layout.cells.get('ia3/attention-qv|32')?.method).toBe('ia3');
    expect(layout.cells.has('ia3/all-linear|32')).toBe(false); // one IA3 run, not one per target set
  });
});
