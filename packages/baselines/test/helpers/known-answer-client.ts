/**
 * A real TsfmClient over a small JavaScript "session" with a known answer (ONNX Runtime's own
 * Tensor type carries the data): output[b, j, c] = last context value + (j + 1) + (level_c − 0.5).
 * The TSFM adapters' tests pin what an adapter adds — level mapping, batching, roll-out, the
 * config space — independently of any trained weights.
 */
import { parseManifest, TsfmClient, type SessionLike } from '@tsfm/tsfm-client';
import { Tensor } from 'onnxruntime-node';
import { knownManifest } from '../../../../test-fixtures/models.js';

export const MODEL_LEVELS = [0.1, 0.5, 0.9];

export interface KnownAnswerOptions {
  readonly context: number;
  readonly horizon: number;
  /** When given, the batch size of every session.run is appended here. */
  readonly batches?: number[];
}

function knownAnswerSession({ context: CONTEXT, horizon: HORIZON, batches }: KnownAnswerOptions): SessionLike {
  return {
    inputNames: ['context', 'mask'],
    outputNames: ['quantiles'],
    async run(feeds) {
      const context = feeds.context.data as Float32Array;
      const batch = context.length / CONTEXT;
      batches?.push(batch);
      const out = new Float32Array(batch * HORIZON * MODEL_LEVELS.length);
      for (let b = 0; b < batch; b++) {
        const last = context[b * CONTEXT + CONTEXT - 1];
        for (let j = 0; j < HORIZON; j++) {
          MODEL_LEVELS.forEach((level, c) => {
            out[(b * HORIZON + j) * MODEL_LEVELS.length + c] = last + (j + 1) + (level - 0.5);
          });
        }
      }
      return { quantiles: new Tensor('float32', out, [batch, HORIZON, MODEL_LEVELS.length]) };
    },
  };
}

export async function knownAnswerClient(options: KnownAnswerOptions): Promise<TsfmClient> {
  const { context, horizon } = options;
  const { manifest, contract } = parseManifest(
    knownManifest({
      name: 'known-answer',
      context,
      horizon,
      levels: MODEL_LEVELS,
      createdBy: 'baselines tests',
      trainingCorpus: 'none (a JavaScript function)',
    }),
    'known-answer.json',
  );
  return TsfmClient.create(manifest, contract, knownAnswerSession(options), { probe: false });
}
