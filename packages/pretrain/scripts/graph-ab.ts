/**
 * Two exports of a [batch, 512] context/mask → [batch, 64, 13] graph, run on the same batch in
 * alternating rounds: wall and CPU milliseconds per `session.run`, and how far their outputs
 * differ (bit-identical or the largest difference relative to the row's largest output).
 * For judging a re-export (e.g. a cheaper layout that must not change any output) or a
 * quantised variant, on a machine that may be busy: alternating rounds see the same load, and
 * CPU time moves less with load than wall time.
 *
 *   npx tsx packages/pretrain/scripts/graph-ab.ts A.onnx B.onnx \
 *     [--rows 960] [--rounds 6] [--runs 20] [--threads 1]
 *
 * e.g. the graph before the slice re-export against today's:
 *   git show 015b1bc:packages/pretrain/model/default.onnx > /tmp/before.onnx
 *   npx tsx packages/pretrain/scripts/graph-ab.ts /tmp/before.onnx packages/pretrain/model/default.onnx
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { Sfc32, splitmix32State } from '@tsfm/numerics';
import { scriptArgs } from './script-cli.js';

const CONTEXT = 512;

function batch(rows: number): { context: Float32Array; mask: Float32Array } {
  // A third of the rows left-padded (short histories), every row a daily cycle plus a random walk.
  const rng = new Sfc32(...splitmix32State(7), 12);
  const context = new Float32Array(rows * CONTEXT);
  const mask = new Float32Array(rows * CONTEXT);
  for (let r = 0; r < rows; r++) {
    const start = r % 3 === 0 ? Math.floor(rng.uniform() * 400) : 0;
    let level = 100 * rng.uniform();
    for (let t = start; t < CONTEXT; t++) {
      level += rng.uniform() - 0.5;
      context[r * CONTEXT + t] = level + 10 * Math.sin((2 * Math.PI * t) / 24);
      mask[r * CONTEXT + t] = 1;
    }
  }
  return { context, mask };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const { values: given, positionals } = scriptArgs({
    name: 'graph-ab',
    usage: 'usage: graph-ab.ts A.onnx B.onnx [--rows 960] [--rounds 6] [--runs 20] [--threads 1]',
    flags: ['rows', 'rounds', 'runs', 'threads'],
    positionals: { min: 2, max: 2 },
  });
  const values = { rows: '960', rounds: '6', runs: '20', threads: '1', ...given };
  const rows = Number(values.rows);
  const threads = Number(values.threads);
  const sessions = await Promise.all(
    positionals.map((file) =>
      InferenceSession.create(readFileSync(file), { intraOpNumThreads: threads, interOpNumThreads: 1 }),
    ),
  );
  const { context, mask } = batch(rows);
  const feeds = {
    context: new Tensor('float32', context, [rows, CONTEXT]),
    mask: new Tensor('float32', mask, [rows, CONTEXT]),
  };
  const wall: number[][] = [[], []];
  const cpu: number[][] = [[], []];
  const outputs: Float32Array[] = [];
  const loadBefore = loadavg()[0];
  for (let round = 0; round < Number(values.rounds); round++) {
    for (let s = 0; s < 2; s++) {
      for (let run = 0; run < Number(values.runs); run++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const out = await sessions[s].run(feeds);
        wall[s].push(performance.now() - t0);
        const dc = process.cpuUsage(c0);
        cpu[s].push((dc.user + dc.system) / 1000);
        outputs[s] = out[sessions[s].outputNames[0]].data as Float32Array;
      }
    }
  }
  const [a, b] = outputs;
  const perRow = a.length / rows;
  let identical = a.length === b.length;
  let worst = 0;
  for (let r = 0; r < rows && a.length === b.length; r++) {
    let scale = 0;
    for (let i = r * perRow; i < (r + 1) * perRow; i++) scale = Math.max(scale, Math.abs(a[i]));
    for (let i = r * perRow; i < (r + 1) * perRow; i++) {
      if (!Object.is(a[i], b[i])) identical = false;
      worst = Math.max(worst, Math.abs(a[i] - b[i]) / (scale || 1));
    }
  }
  positionals.forEach((file, s) =>
    console.log(
      `${s === 0 ? 'A' : 'B'} ${file}: wall p50 ${median(wall[s]).toFixed(2)} ms, min ${Math.min(...wall[s]).toFixed(2)} ms; CPU p50 ${median(cpu[s]).toFixed(2)} ms per run`,
    ),
  );
  const ratio = median(cpu[1]) / median(cpu[0]);
  console.log(
    `${rows} rows, ${threads} ORT thread(s), ${values.rounds} alternating rounds × ${values.runs} runs; load average ${loadBefore.toFixed(1)} → ${loadavg()[0].toFixed(1)}`,
  );
  console.log(`B / A CPU per run: ${ratio.toFixed(3)}`);
  console.log(
    identical
      ? 'outputs: bit-identical'
      : `outputs differ: largest |A − B| / (row's largest |A|) = ${worst.toExponential(2)}`,
  );
  await Promise.all(sessions.map((s) => s.release()));
}

await main();
