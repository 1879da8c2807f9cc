// Module names and shapes shared by LLaMA, Mistral and Qwen2 (Hugging Face `modeling_llama.py` naming,
// peft-spec §7.2). Architectures differ only in which projections carry a bias and in PEFT defaults.
import type { ModelConfig } from '../config';
import type { LinearModuleInfo } from './types';

const ATTN = ['q_proj', 'k_proj', 'v_proj', 'o_proj'] as const;
const MLP = ['gate_proj', 'up_proj', 'down_proj'] as const;

/** (in, out) features of a projection inside a decoder layer. */
export function projectionShape(cfg: ModelConfig, shortName: string): { inF: number; outF: number } {
  const H = cfg.hiddenSize;
  const qDim = cfg.numAttentionHeads * cfg.headDim;
  const kvDim = cfg.numKeyValueHeads * cfg.headDim;
  switch (shortName) {
    case 'q_proj': return { inF: H, outF: qDim };
    case 'k_proj':
    case 'v_proj': return { inF: H, outF: kvDim };
    case 'o_proj': return { inF: qDim, outF: H };
    case 'gate_proj':
    case 'up_proj': return { inF: H, outF: cfg.intermediateSize };
    case 'down_proj': return { inF: cfg.intermediateSize, outF: H };
    default: throw new Error(`unknown projection ${shortName}`);
  }
}

export function llamaFamilyLinearModules(
  cfg: ModelConfig,
  hasBias: (shortName: string) => boolean,
): LinearModuleInfo[] {
  const out: LinearModuleInfo[] = [];
  for (let i = 0; i < cfg.numHiddenLayers; i++) {
    for (const [group, names] of [['self_attn', ATTN], ['mlp', MLP]] as const) {
      for (const s of names) {
        const { inF, outF } = projectionShape(cfg, s);
        out.push({ name: `model.layers.${i}.${group}.${s}`, shortName: s, inFeatures: inF, outFeatures: outF, bias: hasBias(s), layer: i });
      }
    }
  }
  out.push({ name: 'lm_head', shortName: 'lm_head', inFeatures: cfg.hiddenSize, outFeatures: cfg.vocabSize, bias: false, layer: null });
  return out;
}

export function llamaFamilyExpectedWeights(cfg: ModelConfig, hasBias: (shortName: string) => boolean): Map<string, number[]> {
  const m = new Map<string, number[]>();
  const H = cfg.hiddenSize;
  m.set('model.embed_tokens.weight', [cfg.vocabSize, H]);
  for (const mod of llamaFamilyLinearModules(cfg, hasBias)) {
    if (mod.layer === null) continue;
    m.set(`${mod.name}.weight`, [mod.outFeatures, mod.inFeatures]);
    if (mod.bias) m.set(`${mod.name}.bias`, [mod.outFeatures]);
  }
  for (let i = 0; i < cfg.numHiddenLayers; i++) {
    m.set(`model.layers.${i}.input_layernorm.weight`, [H]);
    m.set(`model.layers.${i}.post_attention_layernorm.weight`, [H]);
  }
  m.set('model.norm.weight', [H]);
  if (!cfg.tieWordEmbeddings) m.set('lm_head.weight', [cfg.vocabSize, H]);
  return m;
}
