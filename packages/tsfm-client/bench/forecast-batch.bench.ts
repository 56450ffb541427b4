/**
 * forecastBatch latency (p50 / p99) and throughput at batch 1 … 1024 rows, with 1 and 2 ORT
 * intra-op threads; writes the `## tsfm-client` section of docs/benchmarks.md.
 *
 * Model: packages/pretrain/model/model.json when it exists, else a random-weight model of the
 * same architecture and shape written by @tsfm/pretrain's exporter (the report says which).
 *
 * Rows mimic one harness request (design.md §5): one series, K configs × 2 rows (a validation
 * forecast from history minus h, and the final forecast from full history), 60-minute horizon,
 * configs spread over the whole grid (about half flip, which adds a negated model row; rows with
 * identical model input share one). A second scenario, "plain", is DEFAULT_CONFIG with every row a
 * distinct model input (one model row per request row). "model only" is a bare session.run on a tensor of the
 * same number of model rows, so the client's own overhead is the difference.
 *
 *   npm run bench -w @tsfm/tsfm-client         (or: npx tsx bench/forecast-batch.bench.ts)
 *   BENCH_MODEL=<model.json> … to run another manifest (the int8 variant, say); prints only
 *   BENCH_QUICK=1 … for a short smoke run (fewer iterations, does not write the report)
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { configGrid, loadModel, type ForecastConfig, type ForecastRow, type TsfmClient } from '../src/index.js';
import { writePretrainShapedModel } from '../test/helpers/pretrain-model.js';
import { BENCHMARKS_DOC, writeBenchmarkSection } from '../../../tools/bench/benchmarks-doc.js';
import { chooseBenchModel } from '../../../tools/bench/bench-model.js';

const BATCHES = [1, 8, 32, 64, 128, 1024];
const THREADS = [1, 2];
const HORIZON = 60;
const QUICK = process.env.BENCH_QUICK === '1';
const TIME_BUDGET_MS = QUICK ? 150 : 2500;
const MIN_ITERS = QUICK ? 5 : 30;
const MAX_ITERS = QUICK ? 50 : 2000;

interface Stat {
  p50: number;
  p99: number;
  mean: number;
  /** Process CPU time (user + system, all threads) per call: steadier than wall time on a shared machine. */
  cpuMs: number;
  iters: number;
}

async function measure(fn: () => Promise<unknown>): Promise<Stat> {
  for (let i = 0; i < 5; i++) await fn(); // warm-up: buffers, ORT arena, JIT
  const samples: number[] = [];
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  while (samples.length < MIN_ITERS || (performance.now() - start < TIME_BUDGET_MS && samples.length < MAX_ITERS)) {
    const t0 = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const cpu = process.cpuUsage(cpu0);
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return {
    p50: at(0.5),
    p99: at(0.99),
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    cpuMs: (cpu.user + cpu.system) / 1000 / s.length,
    iters: s.length,
  };
}

/** 22 days of 1-minute data: enough history for contextLength 512 at 60-minute resolution. */
function syntheticSeries(seed: number): Float32Array {
  const n = 22 * 1440;
  const out = new Float32Array(n);
  let s = seed >>> 0;
  const level = 0.2 + 0.1 * (seed % 5);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = level + 0.15 * Math.sin((2 * Math.PI * i) / 1440) + 0.03 * (s / 2 ** 32 - 0.5);
  }
  return out;
}

/** One harness request: one series, batch/2 configs × (validation origin h earlier, final origin). */
function harnessRows(batch: number, configs: readonly ForecastConfig[], values: Float32Array): ForecastRow[] {
  const rows: ForecastRow[] = [];
  for (let i = 0; i < batch; i++) {
    const config = configs[(Math.floor(i / 2) * 37) % configs.length];
    rows.push(
      i % 2 === 0
        ? { values, end: values.length - HORIZON, horizon: HORIZON, config }
        : { values, horizon: HORIZON, config },
    );
  }
  return rows;
}

/** DEFAULT_CONFIG rows that are all distinct model inputs (8 series × different origins). */
function plainRows(batch: number, config: ForecastConfig, series: readonly Float32Array[]): ForecastRow[] {
  return Array.from({ length: batch }, (_, i) => {
    const values = series[i % series.length];
    return { values, end: values.length - Math.floor(i / series.length), horizon: HORIZON, config };
  });
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0];
  const { path: manifestPath, note: modelNote, writesReport } = chooseBenchModel(() => writePretrainShapedModel({}, 7));
  const series = Array.from({ length: 8 }, (_, i) => syntheticSeries(i + 1));
  const lines: string[] = [];
  let target: Stat | undefined;

  for (const threads of THREADS) {
    const client: TsfmClient = await loadModel(manifestPath, { intraOpNumThreads: threads });
    const C = client.contract.contextLength;
    const configs = configGrid({ maxContextLength: C }).filter(
      (c) => client.supportsConfig(c) && HORIZON <= client.maxHorizonMinutes(c),
    );
    const plain: ForecastConfig = client.defaultConfig;
    const bare = await InferenceSession.create(
      readFileSync(join(dirname(manifestPath), client.manifest.file ?? 'default.onnx')),
      {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        extra: { session: { intra_op: { allow_spinning: '0' } } }, // as loadModel does by default
      },
    );
    console.log(`\n# ${threads} thread(s) — ${client.manifest.name} (${modelNote.split(' (')[0]})`);
    for (const batch of BATCHES) {
      for (const scenario of ['harness', 'plain'] as const) {
        const rows = scenario === 'harness' ? harnessRows(batch, configs, series[0]) : plainRows(batch, plain, series);
        const total = await measure(() => client.forecastBatch(rows));
        const m = client.lastModelRows;
        const feeds = {
          [client.contract.contextInput]: new Tensor('float32', new Float32Array(m * C).fill(0.5), [m, C]),
          ...(client.contract.maskInput
            ? { [client.contract.maskInput]: new Tensor('float32', new Float32Array(m * C).fill(1), [m, C]) }
            : {}),
        };
        const model = await measure(() => bare.run(feeds));
        const rowsPerSec = batch / (total.mean / 1000);
        const line = `| ${threads} | ${scenario} | ${batch} | ${m} | ${total.p50.toFixed(2)} | ${total.p99.toFixed(2)} | ${Math.round(rowsPerSec).toLocaleString('en-US')} | ${total.cpuMs.toFixed(2)} | ${model.p50.toFixed(2)} | ${total.iters} |`;
        console.log(line);
        lines.push(line);
        if (scenario === 'harness' && batch === 64 && threads === 2) target = total;
      }
    }
    await bare.release();
    await client.release();
  }

  const loadAfter = loadavg()[0];
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const date = new Date().toISOString().slice(0, 10);
  const contended = Math.max(loadBefore, loadAfter) > availableParallelism();
  const verdict =
    target === undefined
      ? 'not measured'
      : `p99 ${target.p99.toFixed(2)} ms (p50 ${target.p50.toFixed(2)} ms, ${target.cpuMs.toFixed(2)} CPU ms/call) → ` +
        (target.p99 <= 5
          ? 'meets the target'
          : contended
            ? 'misses it in this run; with the load above the core count this is not a verdict on an idle machine'
            : 'misses the target');
  const section = [
    '## tsfm-client',
    '',
    `forecastBatch latency and throughput, \`npm run bench -w @tsfm/tsfm-client\` (packages/tsfm-client/bench/forecast-batch.bench.ts).`,
    '',
    `- Model: ${modelNote}.`,
    `- Machine: ${cpu}, ${availableParallelism()} cores visible, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, onnxruntime-node 1.30 (CPU), ${date}.`,
    `- The machine was shared with other engineers' jobs while this ran (1-minute load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after, on ${availableParallelism()} cores), so wall-clock tails (p99) and the 2-thread rows are inflated by CPU contention; "CPU ms/call" (process user + system CPU per call, all threads) is the steadier figure.`,
    `- Rows: horizon ${HORIZON} min. **harness** = one harness request: one series, K = batch/2 configs × 2 rows (validation origin h earlier + final forecast), configs spread over the whole grid (context 64–512, resolution 1/5/15/60, all normalisations, flip on about half); **plain** = DEFAULT_CONFIG, every row a distinct model input (8 series × different origins). "model rows" is the batch ORT sees after the client adds negated rows for flip and merges rows with identical model input. "model only p50" is a bare session.run on that many rows; the rest of "p50" is the client (aggregation, normalisation, padding, decoding).`,
    `- Each cell: ${QUICK ? 'quick run' : `≥ ${MIN_ITERS} iterations or ${TIME_BUDGET_MS / 1000} s`} after 5 warm-up calls; rows/s = batch / mean latency.`,
    `- Target: batch 64 (K = 32 × 2), 2 threads, p99 ≤ 5 ms: ${verdict}.`,
    '',
    '| threads | rows | batch | model rows | p50 ms | p99 ms | rows/s | CPU ms/call | model only p50 ms | iters |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...lines,
    '',
  ].join('\n');
  console.log(`\nTarget (batch 64 harness, 2 threads, p99 ≤ 5 ms): ${verdict}`);
  // A BENCH_MODEL run only prints (tools/bench/bench-model.ts).
  if (QUICK || !writesReport) return;
  writeBenchmarkSection('## tsfm-client', section);
  console.log(`wrote the ## tsfm-client section of ${BENCHMARKS_DOC}`);
}

await main();
