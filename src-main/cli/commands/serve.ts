// `peft-lab serve`: web mode. The app's UI and API on 127.0.0.1 behind a random access token, for a browser on this
// machine (or through an SSH tunnel to a remote GPU box). Runs until Ctrl+C.
import type { Command } from 'commander';
import { nonNegativeInt } from '../options';
import type { ServeOptions } from '../actions/serve';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the app in a browser on 127.0.0.1 (prints the URL with its access token); Ctrl+C stops')
    .option('--port <n>', 'TCP port on 127.0.0.1; 0 picks a free one', nonNegativeInt, 0)
    .option('--data <dir>', 'data folder (database, runs, adapters); default $PEFT_LAB_DATA or ~/.peft-lab')
    .option('--no-build-check', 'start even if the built renderer (out/renderer) is missing or older than its sources')
    .action(async (o: ServeOptions) => (await import('../actions/serve')).serve(o));
}
