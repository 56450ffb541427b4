/** Worker-thread entry: computes one shard per message on the shared parameter buffer. */
import { parentPort, workerData } from 'node:worker_threads';
import { resolveCorpus, type CorpusName } from './data/corpus.js';
import { ShardComputer, type ShardSpec } from './shard.js';

interface Init {
  spec: ShardSpec;
  corpus: CorpusName;
  params: SharedArrayBuffer;
  grads: SharedArrayBuffer;
}

const port = parentPort;
if (port === null) throw new Error('train-worker.ts runs only as a worker thread');
const init = workerData as Init;
const corpus = resolveCorpus(init.corpus);
const computer = new ShardComputer(
  init.spec,
  corpus.source,
  new Float32Array(init.params),
  new Float32Array(init.grads),
);
port.on('message', (msg: { step: number } | 'stop') => {
  if (msg === 'stop') {
    port.close();
    return;
  }
  const t0 = performance.now();
  const loss = computer.run(msg.step);
  port.postMessage({ step: msg.step, loss, ms: performance.now() - t0 });
});
port.postMessage('ready');
