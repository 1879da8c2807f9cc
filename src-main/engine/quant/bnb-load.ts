// Loading a checkpoint that bitsandbytes/Transformers saved already quantised (config.json has a
// quantization_config): each decoder linear module stored in the 4-bit or LLM.int8 layout is uploaded packed,
// exactly as saved; everything else (embeddings, norms, lm_head, biases, any module left unquantised) is read as
// float32 with the usual name and shape checks.
import type { BaseOptions } from '../../../src-shared/domain/base-spec';
import type { Architecture } from '../model/architectures/types';
import { llamaShapeHint, loadCheckpoint } from '../model/checkpoint';
import type { LoadedTensor } from '../model/checkpoint';
import { closeCheckpoint, openCheckpoint } from '../model/checkpoint-files';
import type { OpenCheckpoint } from '../model/checkpoint-files';
import type { ModelConfig } from '../model/config';
import type { BaseWeight } from '../model/linear';
import { readFourBit, readInt8 } from './bnb-read';
import type { TensorSource } from './bnb-tensors';
import { fourBitStateKey, quantizedNames } from './bnb-tensors';
import { FourBitWeight } from './four-bit-weight';
import { Int8Weight } from './int8-weight';

export interface BnbLoaded {
  /** Unquantised tensors as float32, by name. */
  floats: Map<string, LoadedTensor>;
  /** Packed weights of the quantised modules, by module name. */
  packed: Map<string, BaseWeight>;
}

function tensorSource(ck: OpenCheckpoint): TensorSource {
  const entry = (name: string) => ck.tensors.get(name)!;
  return {
    has: (name) => ck.tensors.has(name),
    info: (name) => ({ dtype: entry(name).info.dtype, shape: entry(name).info.shape, file: entry(name).file.path }),
    raw: (name) => entry(name).file.readRaw(name),
    floats: (name) => entry(name).file.readFloat32(name),
    names: () => [...ck.tensors.keys()],
    source: ck.source,
  };
}

async function readPacked(ck: OpenCheckpoint, config: ModelConfig, arch: Architecture, stored: BaseOptions): Promise<Map<string, BaseWeight>> {
  const src = tensorSource(ck);
  const packed = new Map<string, BaseWeight>();
  try {
    for (const m of arch.linearModules(config)) {
      if (m.layer === null) continue; // lm_head is never quantised (Transformers keeps the output layer)
      const shape: [number, number] = [m.outFeatures, m.inFeatures];
      if (fourBitStateKey(src, m.name)) packed.set(m.name, FourBitWeight.fromPacked(await readFourBit(src, m.name, shape)));
      else if (src.has(`${m.name}.SCB`)) packed.set(m.name, Int8Weight.fromRows(await readInt8(src, m.name, shape), stored.int8Threshold));
    }
  } catch (e) {
    for (const w of packed.values()) w.dispose();
    throw e;
  }
  return packed;
}

/** Reads a pre-quantised checkpoint folder; `stored` comes from its config.json (bnb-config.ts). */
export async function loadBnbCheckpoint(dir: string, config: ModelConfig, arch: Architecture, stored: BaseOptions): Promise<BnbLoaded> {
  const ck = await openCheckpoint(dir);
  let packed: Map<string, BaseWeight>;
  try {
    packed = await readPacked(ck, config, arch, stored);
  } finally {
    await closeCheckpoint(ck);
  }
  try {
    const expected = arch.expectedWeights(config);
    const extra = new Set<string>();
    for (const name of packed.keys()) {
      expected.delete(`${name}.weight`);
      for (const n of quantizedNames(name)) extra.add(n);
    }
    const optional = new Set<string>(config.tieWordEmbeddings ? ['lm_head.weight'] : []);
    const floats = await loadCheckpoint(dir, expected, { optional, shapeHint: llamaShapeHint(config), allowExtra: (n) => extra.has(n) });
    return { floats, packed };
  } catch (e) {
    for (const w of packed.values()) w.dispose();
    throw e;
  }
}
