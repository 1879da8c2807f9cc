// config.json's `quantization_config` for bitsandbytes checkpoints, as Transformers writes it
// (BitsAndBytesConfig.to_dict inside PretrainedConfig.to_json_string: every field, keys sorted, 2-space indent;
// peft-spec §2.7 defaults), and how a loaded config.json tells that its weights are already quantised.
import type { BaseOptions } from '../../../src-shared/domain/base-spec';
import { PeftLabError } from '../../../src-shared/errors';
import { previewValue } from '../../../src-shared/preview';
import { pyFloat } from '../adapters/peft-json';

/** BitsAndBytesConfig.to_dict() for a model quantised with these options (4 or 8 bits). */
export function bnbQuantizationConfig(o: BaseOptions): Record<string, unknown> {
  const four = o.bits === 4;
  return {
    _load_in_4bit: four,
    _load_in_8bit: !four,
    bnb_4bit_compute_dtype: 'float32',
    bnb_4bit_quant_storage: 'uint8',
    bnb_4bit_quant_type: four ? o.quantType : 'fp4',
    bnb_4bit_use_double_quant: four && o.doubleQuant,
    llm_int8_enable_fp32_cpu_offload: false,
    llm_int8_has_fp16_weight: false,
    llm_int8_skip_modules: null,
    llm_int8_threshold: pyFloat(o.int8Threshold),
    load_in_4bit: four,
    load_in_8bit: !four,
    quant_method: 'bitsandbytes',
  };
}

function flag(q: Record<string, unknown>, key: string): boolean {
  return q[key] === true || q[`_${key}`] === true;
}

/**
 * The options a pre-quantised checkpoint was saved with (null when config.json has no quantization_config).
 * The 4-bit block size is not part of quantization_config: it travels in each weight's quant_state (default 64).
 */
export function storedBaseOptions(raw: Record<string, unknown>, configPath: string): BaseOptions | null {
  const q = raw.quantization_config;
  if (q === undefined || q === null) return null;
  const bad = (what: string) => new PeftLabError('CONFIG_INVALID', `${configPath}: quantization_config ${what}`, { file: configPath });
  if (typeof q !== 'object' || Array.isArray(q)) throw bad('must be an object');
  const c = q as Record<string, unknown>;
  if (c.quant_method !== undefined && c.quant_method !== 'bitsandbytes') {
    throw bad(`has quant_method ${previewValue(c.quant_method)}; PEFT Lab reads bitsandbytes checkpoints only. Use the unquantised checkpoint (it is quantised at load time with --bits / base.bits).`);
  }
  const four = flag(c, 'load_in_4bit');
  const eight = flag(c, 'load_in_8bit');
  if (four === eight) throw bad('must set exactly one of load_in_4bit and load_in_8bit');
  const quantType = c.bnb_4bit_quant_type ?? 'fp4'; // Transformers' default
  if (quantType !== 'nf4' && quantType !== 'fp4') throw bad(`bnb_4bit_quant_type ${previewValue(quantType)} is not nf4 or fp4`);
  const threshold = c.llm_int8_threshold ?? 6;
  if (typeof threshold !== 'number' || !(threshold >= 0)) throw bad('llm_int8_threshold must be a number ≥ 0');
  if (c.llm_int8_has_fp16_weight === true) throw bad('has llm_int8_has_fp16_weight true (fp16 weights, not int8); use the unquantised checkpoint');
  return {
    bits: four ? 4 : 8, quantType, doubleQuant: four && c.bnb_4bit_use_double_quant === true,
    blocksize: 64, int8Threshold: threshold, halfType: 'bf16',
  };
}
