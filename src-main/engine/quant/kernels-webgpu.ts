// The dequantisation kernels of the webgpu backend, written as tfjs-backend-webgpu programs (the WebGPUProgram
// interface: variableNames become `var<storage, read>` arrays of the input dtypes (int32 → i32), `uniforms`
// extends the uniform struct, `main(index)` runs once per output element, setOutputAtIndex writes float32).
// Same arithmetic as the JavaScript loops of dequant-kernel.ts; WGSL's f32 `*` and `+` are correctly rounded,
// so results are bit-identical to the cpu reference.
import * as tf from '@tensorflow/tfjs';
import type { WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BlockwiseAttrs, HalfAttrs } from './dequant-kernel';
import { DEQUANT_BLOCKWISE, DEQUANT_HALF, sizeOf } from './dequant-kernel';

interface WebGpuLike {
  runWebGPUProgram(program: WebGPUProgram, inputs: TensorInfo[], outputDtype: 'float32',
    uniforms?: { type: 'int32' | 'float32'; data: number[] }[]): TensorInfo;
}

const WORKGROUP = 64;

/** One invocation per output element, by flat index (the layout of tfjs's own elementwise programs). */
function flatProgram(shape: number[], variableNames: string[], shaderKey: string, uniforms: string | undefined, body: string): WebGPUProgram {
  return {
    outputShape: shape.slice(), variableNames, shaderKey, uniforms, size: true,
    workgroupSize: [WORKGROUP, 1, 1],
    dispatchLayout: { x: shape.map((_, i) => i) },
    dispatch: [Math.ceil(sizeOf(shape) / WORKGROUP), 1, 1],
    getUserCode: () => body,
  };
}

/** 4-bit: byte ⌊i/2⌋ of the stream, the high nibble for even i; 8-bit: byte i. */
function codeSnippet(bits: 4 | 8): string {
  if (bits === 8) return 'let code = (bitcast<u32>(words[index >> 2u]) >> (u32(index & 3) * 8u)) & 255u;';
  return `let byteIndex = index >> 1u;
          let byte = (bitcast<u32>(words[byteIndex >> 2u]) >> (u32(byteIndex & 3) * 8u)) & 255u;
          let code = select(byte >> 4u, byte & 15u, (index & 1) == 1);`;
}

function blockwiseProgram(a: BlockwiseAttrs): WebGPUProgram {
  const body = `
    fn main(index : i32) {
      if (index < uniforms.size) {
        ${codeSnippet(a.bits)}
        var v = table[code] * scales[index / uniforms.blocksize];
        if (uniforms.postScale != 1.0) { v = v * uniforms.postScale; }
        if (uniforms.offset != 0.0) { v = v + uniforms.offset; }
        setOutputAtIndex(index, v);
      }
    }`;
  return flatProgram(a.shape, ['words', 'table', 'scales'], `peftLabDequantBlockwise${a.bits}`,
    'blocksize : i32, postScale : f32, offset : f32,', body);
}

/** binary16 → binary32 bits in integer arithmetic (exact; no reliance on the driver's half support). */
const F16_BITS = `
  fn f16Bits(h : u32) -> u32 {
    let sign = (h & 0x8000u) << 16u;
    let e = (h >> 10u) & 0x1fu;
    let m = h & 0x3ffu;
    if (e == 0x1fu) { return sign | 0x7f800000u | (m << 13u); }
    if (e != 0u) { return sign | ((e + 112u) << 23u) | (m << 13u); }
    if (m == 0u) { return sign; }
    let p = 31u - countLeadingZeros(m);
    return sign | ((p + 103u) << 23u) | ((m << (23u - p)) & 0x7fffffu);
  }`;

function halfProgram(a: HalfAttrs): WebGPUProgram {
  const widen = a.kind === 'bf16' ? 'h << 16u' : 'f16Bits(h)';
  const body = `${a.kind === 'fp16' ? F16_BITS : ''}
    fn main(index : i32) {
      if (index < uniforms.size) {
        let word = bitcast<u32>(words[index >> 1u]);
        let h = select(word & 0xffffu, word >> 16u, (index & 1) == 1);
        setOutputAtIndex(index, bitcast<f32>(${widen}));
      }
    }`;
  return flatProgram(a.shape, ['words'], `peftLabDequantHalf_${a.kind}`, undefined, body);
}

const blockwiseWebgpu: KernelFunc = ({ inputs, attrs, backend }) => {
  const a = attrs as unknown as BlockwiseAttrs;
  const gpu = backend as unknown as WebGpuLike;
  const uniforms = [{ type: 'int32' as const, data: [a.blocksize] }, { type: 'float32' as const, data: [a.postScale] }, { type: 'float32' as const, data: [a.offset] }];
  return gpu.runWebGPUProgram(blockwiseProgram(a), [inputs.words, inputs.table, inputs.scales] as TensorInfo[], 'float32', uniforms);
};

const halfWebgpu: KernelFunc = ({ inputs, attrs, backend }) => {
  const a = attrs as unknown as HalfAttrs;
  return (backend as unknown as WebGpuLike).runWebGPUProgram(halfProgram(a), [inputs.words as TensorInfo], 'float32');
};

let registered = false;

export function registerWebgpuDequantKernels(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: DEQUANT_BLOCKWISE, backendName: 'webgpu', kernelFunc: blockwiseWebgpu });
  tf.registerKernel({ kernelName: DEQUANT_HALF, backendName: 'webgpu', kernelFunc: halfWebgpu });
}
