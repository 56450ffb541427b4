/**
 * Writes (part of) a training pool: the chunks k ≡ worker (mod workers) that are missing.
 * pretrain.ts starts one such process per core; run alone it writes the whole pool:
 *
 *   tsx packages/pretrain/src/cli/write-pool.ts --dir out/pool --count 4096 --length 1536
 */
import { parseArgs } from 'node:util';
import { CORPUS_SEED_BASE } from '@tsfm/workload-gen';
import { parsePoolFamilies, writeChunks, writePoolIndex, type PoolFamily, type PoolSpec } from '../data/pool.js';

const USAGE = `usage: write-pool.ts --dir DIR --count N --length L [--corpus-seed S] [--first-index I] [--worker W --workers N] [--families a,b]`;

function main(): number {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        dir: { type: 'string' },
        count: { type: 'string' },
        length: { type: 'string', default: '1536' },
        'corpus-seed': { type: 'string', default: String(CORPUS_SEED_BASE + 1) },
        'first-index': { type: 'string', default: '0' },
        worker: { type: 'string', default: '0' },
        workers: { type: 'string', default: '1' },
        families: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    console.error(`write-pool: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const int = (name: keyof typeof values): number => {
    const v = Number(values[name]);
    if (!Number.isSafeInteger(v) || v < 0)
      throw new UsageError(`--${name} must be a non-negative integer, got ${String(values[name])}`);
    return v;
  };
  try {
    if (values.dir === undefined || values.count === undefined) throw new UsageError('--dir and --count are required');
    const spec: PoolSpec = {
      corpusSeed: int('corpus-seed'),
      firstIndex: int('first-index'),
      count: int('count'),
      length: int('length'),
      ...(values.families === undefined ? {} : { families: parseFamilies(values.families) }),
    };
    const workers = Math.max(1, int('workers'));
    const worker = int('worker');
    writeChunks(values.dir, spec, worker, workers, (k) => console.log(JSON.stringify({ event: 'chunk', k })));
    if (workers === 1) writePoolIndex(values.dir, spec);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`write-pool: ${e.message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}

class UsageError extends Error {}

function parseFamilies(text: string): PoolFamily[] {
  try {
    return parsePoolFamilies(text);
  } catch (e) {
    throw new UsageError(`--families: ${(e as Error).message}`);
  }
}

process.exitCode = main();
