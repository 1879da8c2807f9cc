// A graceful stop for the CLI commands that drive a host until its queue is empty (`peft-lab sweep run`): on SIGTERM
// or SIGINT the runs in flight write a checkpoint and are left interrupted (resumable), and the caller's host
// shutdown then flushes the metrics and closes the database. A second signal exits at once.
import type { HostCore } from '../host/host';

const EXIT_CODE: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/** Waits until the host's queue is empty (null) or a stop signal came and the runs in flight stopped (its name). */
export async function idleOrStopSignal(host: HostCore, log: (m: string) => void): Promise<NodeJS.Signals | null> {
  let onSignal: (s: NodeJS.Signals) => void = () => undefined;
  const signalled = new Promise<NodeJS.Signals>((resolve) => (onSignal = resolve));
  process.once('SIGTERM', onSignal).once('SIGINT', onSignal);
  try {
    const signal = await Promise.race([host.services.scheduler.waitIdle().then(() => null), signalled]);
    if (signal) {
      process.once('SIGTERM', () => process.exit(EXIT_CODE.SIGTERM)).once('SIGINT', () => process.exit(EXIT_CODE.SIGINT));
      const { runs } = host.inFlight();
      log(`${signal}: stopping ${runs} run${runs === 1 ? '' : 's'} in flight; each keeps its last checkpoint and resumes from it later.`);
      await host.services.scheduler.shutdown();
    }
    return signal;
  } finally {
    process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
  }
}

/** The exit code a process stopped by `signal` conventionally has (128 + its number). */
export const signalExitCode = (signal: NodeJS.Signals): number => EXIT_CODE[signal] ?? 1;
