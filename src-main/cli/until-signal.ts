// Long-running commands (`peft-lab serve`, `peft-lab worker`) run until the first SIGINT/SIGTERM, then stop
// gracefully; a second signal exits at once (130 / 143).

/** Resolves with the signal's name on the first SIGINT/SIGTERM; a second one exits at once. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const first = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', first).off('SIGTERM', first);
      process.once('SIGINT', () => process.exit(130)).once('SIGTERM', () => process.exit(143));
      done(signal);
    };
    process.on('SIGINT', first).on('SIGTERM', first);
  });
}
