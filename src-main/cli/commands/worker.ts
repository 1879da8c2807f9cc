// `peft-lab worker --queue redis://HOST:PORT`: a headless worker for a sweep spread over several machines. It takes
// cells from the queue a host fills (settings.queueUrl), trains them with this machine's engine, streams progress
// and metrics back and uploads checkpoints and adapters through Redis. Runs until Ctrl+C (cells in training
// checkpoint, upload and go back to the queue).
import type { Command } from 'commander';
import { backendChoice, positiveInt } from '../options';
import type { WorkerCliOptions } from '../../queue/worker-main';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('take sweep cells from a Redis queue and train them here (see README: Running a sweep on several machines)')
    .requiredOption('--queue <url>', 'Redis URL of the queue the host fills, e.g. redis://10.0.0.5:6379')
    .option('--concurrency <n>', 'cells trained at once by this worker (each gets its share of the cores)', positiveInt, 1)
    .option('--backend <name>', 'train every cell on this backend: auto | cpu | wasm | webgpu | tensorflow (default: the sweep\'s)', backendChoice)
    .option('--name <name>', 'name shown in the host\'s runs table (default: host name and process id)')
    .option('--work-dir <dir>', 'folder cells train in (default: a folder under the system temp dir)')
    .option('--lease <ms>', 'lock on a cell, renewed while this worker lives; a cell whose lock runs out goes to another worker (default 30000, or PEFT_LAB_QUEUE_LOCK_MS)', positiveInt)
    .action(async (o: WorkerCliOptions) => (await import('../../queue/worker-main')).runWorker(o));
}
