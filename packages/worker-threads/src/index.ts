/** @tsfm/worker-threads: the one way the workspace starts worker threads on TypeScript sources. */
export { siblingEntry, spawnTypeScriptWorker } from './spawn-worker.js';
