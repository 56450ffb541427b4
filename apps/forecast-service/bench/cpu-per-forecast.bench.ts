/**
 * CPU time of one served forecast, without HTTP and without other requests: the issue-13 request
 * (one tenant, 1 metric × 7 days at 1 minute, h = 60, premium, K = 32) run N times in a row
 * through the service's own job code (parse, validate, harness, serialise) on this thread.
 * Process CPU time per request barely depends on how busy the machine is, so it compares settings
 * that a load test under contention cannot (docs/service.md, "Memory after a load peak").
 *
 *   npx tsx apps/forecast-service/bench/cpu-per-forecast.bench.ts [--requests N] [--arena on|off] [--model DIR]
 *     [--racing W,S]   (the service's --racing: harness racing for every request)
 */
import { parseArgs } from 'node:util';
import { ForecastJobs, jobSettings } from '../src/index.js';
import { openModel } from '../src/model.js';
import { issueRequestBody } from './request-body.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '150' },
    arena: { type: 'string', default: 'off' },
    model: { type: 'string', default: 'packages/pretrain/model' },
    racing: { type: 'string' },
  },
});
const requests = Number(values.requests);
if (!(Number.isInteger(requests) && requests >= 1))
  throw new Error(`--requests: a positive integer, got ${values.requests}`);
if (values.arena !== 'on' && values.arena !== 'off') throw new Error(`--arena: on or off, got ${values.arena}`);

const model = await openModel(values.model, { memoryArena: values.arena === 'on' });
const racing = values.racing === undefined ? null : values.racing.split(',').map(Number);
if (racing !== null && !(racing.length === 2 && racing.every((x) => Number.isInteger(x) && x >= 1)))
  throw new Error(`--racing: W,S (two positive integers), got ${values.racing}`);
const jobs = new ForecastJobs(
  model.harness,
  jobSettings(model.info.maxHorizonMinutes, {
    racing: racing === null ? null : { windows: racing[0], survivors: racing[1] },
  }),
);
const body = new TextEncoder().encode(issueRequestBody({ budgetMs: 60_000 }));
const once = async () => {
  const outcome = await jobs.run({ kind: 'forecast', body, receivedAt: Date.now(), queuedAt: Date.now() });
  if (outcome.status !== 200) throw new Error(`status ${outcome.status}: ${String(outcome.body)}`);
};
for (let i = 0; i < 20; i++) await once(); // warm-up: JIT, ORT's first runs
const rowsBefore = model.batcher.stats.rows;
const cpuBefore = process.cpuUsage();
for (let i = 0; i < requests; i++) await once();
const cpu = process.cpuUsage(cpuBefore);
console.log(
  JSON.stringify({
    arena: values.arena,
    racing: values.racing ?? 'off',
    requests,
    cpuMsPerForecast: Number(((cpu.user + cpu.system) / 1000 / requests).toFixed(2)),
    modelRowsPerForecast: (model.batcher.stats.rows - rowsBefore) / requests,
    mallocEnv: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('MALLOC_'))),
  }),
);
await model.client.release();
