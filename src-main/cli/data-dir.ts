// The data folder the commands use when --data is not given: $PEFT_LAB_DATA (unless empty), else ~/.peft-lab.
// A module of its own, light on purpose: command registration imports it, and `peft-lab --help` must not load the
// host, SQLite or TensorFlow.js to print usage.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(): string {
  return process.env.PEFT_LAB_DATA || join(homedir(), '.peft-lab');
}
