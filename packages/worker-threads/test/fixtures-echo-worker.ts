// A worker entry only tsx can load (type annotations): it answers n with 2n + offset, so the test
// sees that the loader ran inside the worker and that workerData arrived.
import { parentPort, workerData } from 'node:worker_threads';

const offset: number = (workerData as { offset: number }).offset;
parentPort!.on('message', (n: number) => parentPort!.postMessage(2 * n + offset));
