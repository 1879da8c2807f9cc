// TEST HOOK, not a feature: lets the fault tests (test/host/faults*.test.ts) kill a run worker at an exact point of
// a checkpoint write, which a kill from outside only hits by luck. With PEFT_LAB_FAULT=checkpoint-write:N[:stage]
// the process sends itself SIGKILL (as kill -9 would) during the N-th checkpoint it writes, at `stage`:
//   tensors  part of a safetensors temp file is written (its header and first tensor, not the rest)   (default)
//   state    every tensor file of the checkpoint is in its temporary folder, trainer_state.json is not
//   rename   the temporary folder is complete but not yet renamed into place
// Unset (always, outside those tests) each call is one comparison.
export type FaultStage = 'tensors' | 'state' | 'rename';

interface Fault { at: number; stage: FaultStage }

function parse(value: string | undefined): Fault | null {
  const m = /^checkpoint-write:(\d+)(?::(tensors|state|rename))?$/.exec(value ?? '');
  return m ? { at: Number(m[1]), stage: (m[2] as FaultStage | undefined) ?? 'tensors' } : null;
}

const fault = parse(process.env.PEFT_LAB_FAULT);
let checkpoints = 0;
let armed = false;

/** Called when a checkpoint write begins: arms the fault during the N-th one. */
export function checkpointWriteStarted(): void {
  checkpoints += 1;
  armed = fault !== null && checkpoints === fault.at;
}

/** Called when a checkpoint write is done. */
export function checkpointWriteEnded(): void {
  armed = false;
}

/** Dies here (SIGKILL, no cleanup, no exit handlers) when the armed fault is at this stage. */
export function faultPoint(stage: FaultStage): void {
  if (armed && fault?.stage === stage) process.kill(process.pid, 'SIGKILL');
}

// TEST HOOK, likewise: PEFT_LAB_STEP_DELAY_MS=N makes every training update wait N ms after it is reported, so a
// test can act on a run while it is mid-way (stop it, kill its worker) even where the tiny test model trains
// faster than a stop request travels. Unset (always, outside those tests) it costs nothing.
const stepDelayMs = Math.max(0, Number(process.env.PEFT_LAB_STEP_DELAY_MS ?? 0) || 0);

/** Waits the test delay after an update; resolves at once when the hook is off. */
export async function stepPause(): Promise<void> {
  if (stepDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, stepDelayMs));
}
