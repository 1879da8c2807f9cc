// RoPE fields of config.json (peft-spec §7.1): transformers v4 keeps `rope_theta` and `rope_scaling`
// ({"type" or "rope_type": ..., "factor": ...}) at the top level; v5 moves both into
// `rope_parameters: {"rope_type": "default" | "linear" | ..., "rope_theta": ..., ...}`.
// Checks follow transformers `modeling_rope_utils` (`_validate_*_rope_parameters`).

import type { ConfigFields } from './config-fields';
import { show } from './config-fields';

export type RopeType = 'linear' | 'dynamic' | 'llama3';

export interface RopeScaling {
  ropeType: RopeType;
  factor: number;
  lowFreqFactor?: number;
  highFreqFactor?: number;
  originalMaxPositionEmbeddings?: number;
}

const SUPPORTED: readonly RopeType[] = ['linear', 'dynamic', 'llama3'];
const DEFAULT_THETA = 10000;

/** rope_theta, else rope_parameters.rope_theta, else 10000. */
export function parseRopeTheta(f: ConfigFields): number {
  if (f.has('rope_theta')) return f.positive('rope_theta', DEFAULT_THETA);
  const params = ropeParameters(f);
  if (params !== null && params.rope_theta !== undefined && params.rope_theta !== null) {
    return f.checkPositive('rope_parameters.rope_theta', params.rope_theta);
  }
  return DEFAULT_THETA;
}

/** rope_scaling (v4), else the scaling part of rope_parameters (v5); "default" means none. */
export function parseRopeScaling(f: ConfigFields): RopeScaling | null {
  let key = 'rope_scaling';
  let obj: Record<string, unknown> | null = null;
  if (f.has('rope_scaling')) {
    const v = f.raw.rope_scaling;
    if (typeof v !== 'object' || Array.isArray(v)) {
      throw f.error(key, `must be an object or null, got ${show(v)}`, 'Write e.g. {"rope_type": "linear", "factor": 2.0} or null.');
    }
    obj = v as Record<string, unknown>;
  } else {
    obj = ropeParameters(f);
    key = 'rope_parameters';
  }
  if (obj === null) return null;
  const type = obj.rope_type ?? obj.type;
  if (type === undefined || type === null || type === 'default') return null;
  if (typeof type !== 'string' || !(SUPPORTED as readonly string[]).includes(type)) {
    throw f.error(`${key}.rope_type`, `is ${show(type)}, which PEFT Lab does not support`,
      `Supported RoPE scalings: default, ${SUPPORTED.join(', ')}.`);
  }
  const out: RopeScaling = { ropeType: type as RopeType, factor: f.checkPositive(`${key}.factor`, obj.factor) };
  if (type === 'llama3') addLlama3(f, key, obj, out);
  return out;
}

function addLlama3(f: ConfigFields, key: string, obj: Record<string, unknown>, out: RopeScaling): void {
  out.lowFreqFactor = f.checkPositive(`${key}.low_freq_factor`, obj.low_freq_factor);
  out.highFreqFactor = f.checkPositive(`${key}.high_freq_factor`, obj.high_freq_factor);
  out.originalMaxPositionEmbeddings = f.checkInt(`${key}.original_max_position_embeddings`,
    obj.original_max_position_embeddings, { max: 1e9 });
  if (out.highFreqFactor <= out.lowFreqFactor) {
    throw f.error(`${key}.high_freq_factor`,
      `(${out.highFreqFactor}) must be larger than low_freq_factor (${out.lowFreqFactor})`,
      'Llama 3 configs use low_freq_factor 1 and high_freq_factor 4.');
  }
}

function ropeParameters(f: ConfigFields): Record<string, unknown> | null {
  if (!f.has('rope_parameters')) return null;
  const v = f.raw.rope_parameters;
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw f.error('rope_parameters', `must be an object, got ${show(v)}`,
      'Write e.g. {"rope_type": "default", "rope_theta": 10000.0}.');
  }
  return v as Record<string, unknown>;
}
