// The run worker: one child process per training run (or timing probe), started and supervised by the host.
// It receives one HostToWorker message, runs the engine, streams WorkerToHost messages over the IPC channel and
// exits: 0 finished, 1 failed, 3 stopped (SIGTERM: the trainer writes a checkpoint first, so resume continues).
import * as tf from '@tensorflow/tfjs';
import type { HostToWorker, WorkerToHost } from '../../src-shared/protocol/worker';
import { errorToWire, isPeftLabError } from '../../src-shared/errors';
import { probeBackends, useBackend } from '../engine/backends/index';
import { dataStats } from '../engine/train/data-stats';
import { probeStepSeconds } from '../engine/train/probe';
import { runTraining } from '../engine/train/trainer';
import { runGenerateJob } from './generate-job';
import { parseHostMessage } from '../../src-shared/protocol/host-to-worker-schema';

const EXIT_FAILED = 1;
const EXIT_STOPPED = 3;

function send(m: WorkerToHost): void {
  if (process.connected) process.send?.(m);
}

let peakRss = 0;
function reportResources(): void {
  const rss = process.memoryUsage().rss;
  peakRss = Math.max(peakRss, rss);
  send({ kind: 'resources', rssBytes: rss, peakRssBytes: peakRss, tensorBytes: tf.memory().numBytes });
}

async function train(m: Extract<HostToWorker, { kind: 'train' }>): Promise<number> {
  const controller = new AbortController();
  let why = '';
  const stopFor = (reason: string) => () => {
    why ||= reason;
    controller.abort();
  };
  process.once('SIGTERM', stopFor('SIGTERM'));
  // The host went away (crashed or was killed): stop at the next update boundary, with a checkpoint.
  process.once('disconnect', stopFor('the host going away'));
  send({ kind: 'versions', versions: { node: process.versions.node, tfjs: tf.version_core, v8: process.versions.v8 } });
  try {
    await runTraining(m.spec, {
      specDir: m.specDir, resume: m.resume, resumeAtMost: m.resumeAtMost, signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'step') reportResources();
        send({ kind: 'event', event });
      },
    });
    reportResources();
    return 0;
  } catch (e) {
    if (!isPeftLabError(e, 'CANCELLED')) return EXIT_FAILED; // the trainer already sent a 'failed' event
    // The host's verdict quotes the last line of stderr: say why the run stopped and that it kept its checkpoint.
    process.stderr.write(`stopped by ${why || 'request'}: ${e.message}\n`);
    return EXIT_STOPPED;
  }
}

async function probe(m: Extract<HostToWorker, { kind: 'probe' }>): Promise<number> {
  try {
    const r = await probeStepSeconds(m.spec, m.specDir, m.steps);
    send({ kind: 'probe-result', stepSeconds: r.stepSeconds, backend: r.backend.name, device: r.backend.device });
    return 0;
  } catch (e) {
    send({ kind: 'probe-failed', error: errorToWire(e) });
    return EXIT_FAILED;
  }
}

/** Short jobs for the host that must not run on its event loop (tokenising a dataset, loading GPU drivers). */
async function shortJob(m: Extract<HostToWorker, { kind: 'data-stats' | 'backends' }>): Promise<number> {
  try {
    if (m.kind === 'data-stats') {
      send({ kind: 'data-stats', stats: await dataStats(m.spec, m.specDir) });
    } else {
      const probes = await probeBackends();
      const auto = await useBackend('auto');
      send({ kind: 'backends', report: { auto: auto.name, probes } });
    }
    return 0;
  } catch (e) {
    send({ kind: 'job-failed', error: errorToWire(e) });
    return EXIT_FAILED;
  }
}

/** Review generation: outputs of several adapters on one base, streamed; SIGTERM stops between prompts. */
async function generateOutputs(m: Extract<HostToWorker, { kind: 'generate' }>): Promise<number> {
  const controller = new AbortController();
  process.once('SIGTERM', () => controller.abort());
  process.once('disconnect', () => controller.abort());
  try {
    await runGenerateJob(m.job, send, controller.signal);
    reportResources();
    return 0;
  } catch (e) {
    if (isPeftLabError(e, 'CANCELLED')) return EXIT_STOPPED;
    send({ kind: 'job-failed', error: errorToWire(e) });
    return EXIT_FAILED;
  }
}

// Node ignores SIGXFSZ (a write past the file-size limit then fails with EFBIG, reported like a full disk), but
// write-file-atomic's signal-exit, while a write is pending, re-raises it to kill the process unless someone else
// listens: listen, so the limit ends in a clear error and a kept checkpoint, never in a dead worker.
process.on('SIGXFSZ', () => undefined);

process.once('message', (raw: unknown) => {
  const { message: m, problem } = parseHostMessage(raw);
  if (!m) {
    // The host quotes the last line of stderr in its verdict on this worker.
    process.stderr.write(`protocol error: the host sent a malformed job (${problem}); the host and this worker may come from different builds: restart the app\n`);
    process.exitCode = EXIT_FAILED;
    setImmediate(() => process.disconnect?.()); // not from inside the channel's own message dispatch
    return;
  }
  const job = m.kind === 'train' ? train(m) : m.kind === 'probe' ? probe(m) : m.kind === 'generate' ? generateOutputs(m) : shortJob(m);
  void job.then((code) => {
    process.exitCode = code;
    // Let the IPC channel drain, then leave even if a backend (Dawn) keeps handles open.
    process.disconnect?.();
    setTimeout(() => process.exit(code), 2000).unref();
  });
});
