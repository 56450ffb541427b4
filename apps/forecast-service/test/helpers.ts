/**
 * A real model for the service tests: the default architecture with random weights, written by
 * @tsfm/pretrain's exporter (via the harness's test helper). Latency and the HTTP contract do not
 * depend on the weights; forecast values do, so no test here asserts on them.
 */
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import type { Harness, HarnessRequest } from '@tsfm/harness';
import { pretrainShapedModel } from '../../../test-fixtures/models.js';
import {
  buildServer,
  jobSettings,
  LocalJobRunner,
  openModel,
  type LoadedModel,
  type ServerOptions,
} from '../src/index.js';

let loaded: Promise<LoadedModel> | null = null;
let modelFile: string | null = null;

/**
 * The manifest of the random-weight test model. Written again once it is gone: this module outlives
 * a test file (one module graph per worker) and the file's temp dirs are removed after it.
 */
export function testModelFile(): string {
  if (modelFile === null || !existsSync(modelFile)) modelFile = pretrainShapedModel();
  return modelFile;
}

/** One model per worker, loaded on first use (held in memory; its file is not read again). */
export function testModel(): Promise<LoadedModel> {
  loaded ??= openModel(testModelFile(), { random: true });
  return loaded;
}

export type LocalServerOptions = Omit<ServerOptions, 'runner' | 'model'> & {
  /** Default: the test model's harness. */
  readonly harness?: Harness;
  /** Jobs running at once on the test thread (default 2). */
  readonly concurrency?: number;
};

/** buildServer over a LocalJobRunner (jobs on the test thread), settings shared by both. */
export async function localServer(options: LocalServerOptions = {}) {
  const model = await testModel();
  const settings = jobSettings(model.info.maxHorizonMinutes, options);
  const runner = LocalJobRunner.forHarness(options.harness ?? model.harness, settings, {
    concurrency: options.concurrency ?? 2,
  });
  const app = buildServer({ defaultMetrics: false, ...options, runner, model: model.info });
  return { app, runner };
}

/**
 * The real harness, whose forecasts wait until the test opens the gate: "a request is in
 * flight" becomes a state the test controls instead of a race.
 */
export function gated(harness: Harness): { harness: Harness; open: () => void; waiting: () => number } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let waiting = 0;
  const wrapper = {
    space: harness.space,
    forecast: async (request: HarnessRequest) => {
      waiting++;
      await gate;
      return harness.forecast(request);
    },
  };
  // The jobs use only `space` and `forecast`; Harness has a private constructor, hence the cast.
  return { harness: wrapper as unknown as Harness, open: () => release(), waiting: () => waiting };
}

/**
 * Wait until `condition()` holds, checking every 10 ms. No time limit of its own: the test's
 * timeout (vitest.config.ts) is the last guard, so a slow machine only makes the wait longer.
 */
export async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((r) => setTimeout(r, 10));
}

/** Deterministic diurnal-ish metrics: `minutes` values per metric, 4 significant digits. */
export function metricHistory(
  minutes: number,
  metrics: readonly string[] = ['cpu', 'mem', 'net', 'disk'],
): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  metrics.forEach((m, k) => {
    out[m] = Array.from({ length: minutes }, (_, i) =>
      Number((0.5 + 0.3 * Math.sin((2 * Math.PI * i) / 1440) + 0.05 * (k + 1) * Math.sin(i / 7)).toFixed(4)),
    );
  });
  return out;
}

export function forecastBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { history: metricHistory(240), horizon: 30, tier: 'premium', k: 8, ...overrides };
}

/** A Prometheus /api/v1/query_range response: `series` label sets on one `stepSeconds` grid. */
export function prometheusRange(series: Record<string, number[]>, stepSeconds: number, start = 1_700_000_000): unknown {
  return {
    status: 'success',
    data: {
      resultType: 'matrix',
      result: Object.entries(series).map(([name, values]) => ({
        metric: { __name__: name, instance: 'web-1:9100' },
        values: values.map((v, i) => [start + i * stepSeconds, String(v)]),
      })),
    },
  };
}

/**
 * Raw TCP: write `raw` to 127.0.0.1:`port` and collect everything the server writes until it
 * closes the connection. For what fetch cannot show deterministically — parser errors, and a
 * refusal sent before the body (a client still writing a body the server will not read sees a
 * reset instead of the answer, depending on timing).
 */
export async function rawExchange(port: number, raw: string): Promise<string> {
  const socket = await new Promise<ReturnType<typeof connect>>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  socket.on('error', () => undefined);
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.write(raw);
  await closed;
  return text;
}
