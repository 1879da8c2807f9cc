// glibc malloc settings for processes that train (run workers, queue workers' children, the bench's children).
//
// Why: onnxruntime-node's synchronous `run` writes a product into the output buffer we pass (the wasm heap) and then
// also returns a fresh JavaScript copy of it, allocated with malloc and freed only when V8 collects it. With glibc's
// defaults, blocks that large come from mmap or from heap memory that `free` trims back to the kernel, so nearly
// every product touches new pages. On this project's VMs a first touch of a page costs about 14 µs (measured:
// 688 faults, 11 ms, on a 1024×688 product that computes in 1.3 ms), and ONNX Runtime's rate at a LoRA step's sizes
// fell to 27–35 GFLOP/s against 250–300 without the faults (scripts/bench-sgemm.ts, issue #8). Keeping freed memory
// in the process (no trimming, no mmap below 32 MiB) and backing malloc's heap with transparent huge pages (one fault
// per 2 MiB) removes nearly all of those faults after the first steps.
//
// Tunables are read by glibc when a process starts, so they are passed in the environment of the processes we
// spawn. Anything the user already set in GLIBC_TUNABLES is kept and wins; other C libraries and other systems
// ignore the variable.

/** Ours: mmap only for blocks over 32 MiB (glibc's maximum), never trim the heap, huge pages for the heap (≥ 2.35). */
export const MALLOC_TUNABLES: readonly (readonly [string, string])[] = [
  ['glibc.malloc.mmap_threshold', String(32 * 1024 * 1024)],
  ['glibc.malloc.trim_threshold', String(2 ** 31 - 1)],
  ['glibc.malloc.hugetlb', '1'],
];

/** GLIBC_TUNABLES for a child: the user's settings, then ours for every tunable the user did not set. */
export function tunablesWith(existing: string | undefined): string {
  const parts = (existing ?? '').split(':').filter((p) => p.includes('='));
  const named = new Set(parts.map((p) => p.slice(0, p.indexOf('='))));
  for (const [name, value] of MALLOC_TUNABLES) if (!named.has(name)) parts.push(`${name}=${value}`);
  return parts.join(':');
}

/** `env` plus GLIBC_TUNABLES for a training process (Linux only; elsewhere `env` unchanged). */
export function withMallocTunables(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): NodeJS.ProcessEnv {
  if (platform !== 'linux' || env.PEFT_LAB_MALLOC_TUNABLES === 'off') return env;
  return { ...env, GLIBC_TUNABLES: tunablesWith(env.GLIBC_TUNABLES) };
}

/** CLI commands that train or generate in their own process (the others start workers or do no tensor work). */
export const IN_PROCESS_COMPUTE_COMMANDS: readonly string[] = ['train', 'generate', 'perplexity'];

/**
 * The environment to start `command` again with so that it gets the malloc settings, or null when there is no need:
 * another command, not Linux, switched off, or the settings are already in place (the restarted process itself).
 */
export function envForInProcessCompute(command: string | undefined, env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): NodeJS.ProcessEnv | null {
  if (command === undefined || !IN_PROCESS_COMPUTE_COMMANDS.includes(command)) return null;
  const next = withMallocTunables(env, platform);
  return next === env || next.GLIBC_TUNABLES === env.GLIBC_TUNABLES ? null : next;
}
