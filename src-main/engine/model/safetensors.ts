// The safetensors format (peft-spec §7.4): one import point for the dtype table, header parser, reader and writer.

export { ST_DTYPES, dtypeBits, dtypeRank, isStDtype, shapeNumel, tensorByteSize } from './safetensors-dtype';
export type { StDtype } from './safetensors-dtype';
export { ST_MAX_HEADER_LENGTH, parseSafetensorsHeader, readHeaderLength } from './safetensors-header';
export type { StHeader, StTensorInfo } from './safetensors-header';
export { FLOAT32_READABLE, SafetensorsFile, decodeFloat32 } from './safetensors-read';
export { planSafetensorsLayout, serializeSafetensors, writeSafetensorsFile } from './safetensors-write';
export type { StLayout, StWriteTensor } from './safetensors-write';
