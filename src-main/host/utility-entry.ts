// The host's entry in the desktop app: Electron's main process forks this file as a utility process
// (utilityProcess.fork, see src-main/shell/host-process.ts), passing the data folder. It serves every window's
// MessagePort that arrives on process.parentPort. No electron import: parentPort is a property of `process` there.
import { ShellTokenVault } from '../hub/shell-vault';
import { installTokenVault } from '../hub/token';
import { seedDemoOnFirstRun } from './first-run';
import { createHost } from './host';
import { serveParentPort } from './transports/parent-port-channel';
import type { ParentPortLike } from './transports/parent-port-channel';
import { dataDirFromArgv } from './transports/utility-control';

const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
const dataDir = dataDirFromArgv(process.argv) ?? process.env.PEFT_LAB_DATA;

if (!parentPort || !dataDir) {
  process.stderr.write('utility-entry runs only as the desktop app\'s host process (Electron utilityProcess with a data folder); in plain Node use `peft-lab serve`.\n');
  process.exit(1);
} else {
  installTokenVault(new ShellTokenVault(parentPort)); // the Hub token is kept by the shell in the OS keychain
  const hostReady = createHost({ dataDir, mode: 'desktop' }).then(async (host) => {
    await seedDemoOnFirstRun(host, (m) => process.stderr.write(`${m}\n`));
    return host;
  });
  void serveParentPort(parentPort, hostReady).then(() => process.exit(0));
  hostReady.catch(() => setTimeout(() => process.exit(1), 100));
}
