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

const init = workerData as Init;
const corpus = resolveCorpus(init.corpus);
const computer = new ShardComputer(
  init.spec,
  corpus.source,
  new Float32Array(init.params),
  new Float32Array(init.grads),
);
parentPort!.on('message', (msg: { step: number } | 'stop') => {
  if (msg === 'stop') {
    parentPort!.close();
    return;
  }
  const t0 = performance.now();
  const loss = computer.run(msg.step);
  parentPort!.postMessage({ step: msg.step, loss, ms: performance.now() - t0 });
});
parentPort!.postMessage('ready');
