// One turn of Node's event loop. On the wasm and cpu backends every await inside a training step or a generation
// resolves as a microtask, so a long loop of them never lets signal handlers, IPC messages (the host's stop) or timers
// run; loops that must stay stoppable await this once per update or per prompt.
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
