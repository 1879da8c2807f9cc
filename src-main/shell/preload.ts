// The preload script: the only bridge between the sandboxed renderer and the app. It exposes one typed object
// (never a generic invoke); today that is the app's identity, the typed host client arrives with issue #3.
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('peftLab', {
  shell: 'electron' as const,
  versions: { electron: process.versions.electron, chrome: process.versions.chrome, node: process.versions.node },
});
