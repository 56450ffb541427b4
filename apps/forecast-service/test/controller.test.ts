/**
 * Controller mode against a real Prometheus (issue 13 §5): three hours of a known load shape
 * backfilled with promtool, a small exporter the test runs scraped every second, the controller
 * looping every 200 ms — then Prometheus killed mid-run and a new one started on the same data.
 * Waits are for controller loops and conditions, never for time.
 */
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Controller, parseTargets, type LoopResult } from '../src/index.js';
import { localServer, until } from './helpers.js';
import {
  backfill,
  instant,
  requirePrometheus,
  startExporter,
  startPrometheus,
  startRelay,
  type RunningPrometheus,
} from './prometheus-helpers.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

/** The known load shape of target "web": 2 cores ± 0.5 on an hourly cycle. */
const webLoad = (unixSeconds: number) => 2 + 0.5 * Math.sin((2 * Math.PI * unixSeconds) / 3600);
/** Target "fresh" exists only in the live scrape: a constant 4 cores, and no history. */
const FRESH_LOAD = 4;

let dir: string;
let prometheus: RunningPrometheus;
let relay: Awaited<ReturnType<typeof startRelay>>;
let exporter: Awaited<ReturnType<typeof startExporter>>;
let app: FastifyInstance;
let controller: Controller;

const config = () => join(dir, 'prometheus.yml');
const data = () => join(dir, 'data');

async function metricsText(): Promise<string> {
  return (await app.inject({ method: 'GET', url: '/metrics' })).body;
}

function gauge(text: string, name: string, labels: string): number {
  const prefix = labels === '' ? `${name} ` : `${name}{${labels}} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  if (line === undefined) throw new Error(`no ${name}{${labels}} in /metrics`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Resolves with the first loop (from now on) for which `predicate` holds. */
function loopWhere(predicate: (r: LoopResult) => boolean): Promise<LoopResult> {
  return new Promise((resolve) => {
    const onLoop = (r: LoopResult) => {
      if (!predicate(r)) return;
      controller.off('loop', onLoop);
      resolve(r);
    };
    controller.on('loop', onLoop);
  });
}

beforeAll(async () => {
  requirePrometheus();
  dir = tempDir('forecast-controller-');
  mkdirSync(data());
  // Three hours of history, one sample a minute, ending two minutes ago.
  const now = Math.floor(Date.now() / 1000);
  const lines = ['# TYPE test_load gauge'];
  for (let t = now - 3 * 3600; t < now - 120; t += 60)
    lines.push(`test_load{target="web"} ${webLoad(t).toFixed(4)} ${t}`);
  await backfill(data(), lines);

  exporter = await startExporter(() => {
    const t = Date.now() / 1000;
    return `# TYPE test_load gauge\ntest_load{target="web"} ${webLoad(t)}\n# TYPE test_fresh_load gauge\ntest_fresh_load{target="fresh"} ${FRESH_LOAD}\n`;
  });
  writeFileSync(
    config(),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: exporter\n    static_configs:\n      - targets: ['127.0.0.1:${exporter.port}']\n`,
  );
  relay = await startRelay();
  prometheus = await startPrometheus(config(), data());
  relay.setUpstream(prometheus.port);
  // The exporter has been scraped at least once.
  await until(async () => (await instant(prometheus.port, 'test_fresh_load')) === FRESH_LOAD);

  ({ app } = await localServer());
  controller = new Controller(
    app.service,
    parseTargets(
      {
        prometheus: { url: `http://127.0.0.1:${relay.port}`, historyMinutes: 180, stepSeconds: 60, timeoutSeconds: 60 },
        intervalSeconds: 0.2,
        targets: [
          {
            name: 'web',
            tier: 'premium',
            resources: { cpu: { query: 'sum(test_load{target="web"})', current: 2 } },
            options: { perReplicaCapacity: { cpu: 1 }, maxReplicas: 10 },
            k: 8,
          },
          {
            name: 'fresh',
            tier: 'standard',
            resources: { cpu: { query: 'sum(test_fresh_load)', current: 1 } },
            options: { perReplicaCapacity: { cpu: 1 } },
            k: 8,
          },
        ],
      },
      'test targets',
    ),
  );
});

afterAll(async () => {
  await controller?.stop();
  await app?.close();
  await prometheus?.kill();
  await relay?.close();
  await exporter?.close();
});

describe('controller mode against a real Prometheus', () => {
  it('recommends from the model where there is history, falls back to the reactive rule where there is not, and exports both', async () => {
    const first = loopWhere((r) => r.prometheusUp && Object.values(r.targets).every((t) => t.refreshed));
    controller.start();
    const loop = await first;
    expect(loop.targets.web).toMatchObject({ refreshed: true, source: 'model', error: null });
    expect(loop.targets.fresh).toMatchObject({ refreshed: true, source: 'reactive' });
    expect(loop.targets.fresh.error).toMatch(/cold start/);

    const text = await metricsText();
    // web: the model's recommendation, internally consistent whatever the (random) weights say.
    const target = gauge(
      text,
      'forecast_controller_recommended_resource',
      'target="web",resource="cpu",bound="target"',
    );
    const lower = gauge(text, 'forecast_controller_recommended_resource', 'target="web",resource="cpu",bound="lower"');
    const upper = gauge(text, 'forecast_controller_recommended_resource', 'target="web",resource="cpu",bound="upper"');
    expect(lower).toBeLessThanOrEqual(target);
    expect(target).toBeLessThanOrEqual(upper);
    expect(gauge(text, 'forecast_controller_recommended_replicas', 'target="web"')).toBe(
      Math.min(10, Math.max(1, Math.ceil(target))),
    );
    expect(gauge(text, 'forecast_controller_source', 'target="web",source="model"')).toBe(1);
    const actions = ['scale_up', 'scale_down', 'hold', 'adjust_thresholds'].map((a) =>
      gauge(text, 'forecast_controller_action', `target="web",action="${a}"`),
    );
    expect(actions.reduce((a, b) => a + b)).toBe(1);
    // fresh: the reactive rule on the live load of 4 cores at 0.8 utilisation — 5 cores, 5 replicas, scale up from 1.
    expect(
      gauge(text, 'forecast_controller_recommended_resource', 'target="fresh",resource="cpu",bound="target"'),
    ).toBeCloseTo(5, 9);
    expect(gauge(text, 'forecast_controller_recommended_resource', 'target="fresh",resource="cpu",bound="lower"')).toBe(
      4,
    );
    expect(gauge(text, 'forecast_controller_recommended_replicas', 'target="fresh"')).toBe(5);
    expect(gauge(text, 'forecast_controller_action', 'target="fresh",action="scale_up"')).toBe(1);
    expect(gauge(text, 'forecast_controller_source', 'target="fresh",source="reactive"')).toBe(1);
    expect(gauge(text, 'forecast_controller_reactive_threshold', 'target="fresh",threshold="scale_up"')).toBe(0.8);
    expect(gauge(text, 'forecast_controller_prometheus_up', '')).toBe(1);

    const status = (await app.inject({ method: 'GET', url: '/status' })).json();
    expect(status.state).toBe('RUNNING');
    expect(status.controller).toMatchObject({ targets: 2, prometheusUp: true, lastLoopOk: true, reactiveTargets: 1 });
  });

  it('keeps the last recommendations, marked stale, while Prometheus is gone, and recovers when it is back', async () => {
    const before = gauge(await metricsText(), 'forecast_controller_recommended_replicas', 'target="web"');
    const down = loopWhere((r) => !r.prometheusUp);
    await prometheus.kill();
    const failed = await down;
    expect(failed.targets.web).toMatchObject({ refreshed: false });
    expect(failed.targets.web.error).toMatch(/^prometheus: Prometheus at .* did not answer/);

    const text = await metricsText();
    expect(gauge(text, 'forecast_controller_prometheus_up', '')).toBe(0);
    expect(gauge(text, 'forecast_controller_stale', 'target="web"')).toBe(1);
    expect(gauge(text, 'forecast_controller_recommended_replicas', 'target="web"')).toBe(before);
    expect(gauge(text, 'forecast_controller_errors_total', 'target="web",reason="prometheus"')).toBeGreaterThanOrEqual(
      1,
    );
    const degraded = (await app.inject({ method: 'GET', url: '/status' })).json();
    expect(degraded.state).toBe('DEGRADED');
    expect(degraded.reasons.join(' ')).toMatch(/controller could not read every target/);
    expect(controller.state('web')!.stale).toBe(true);

    // A new Prometheus on the same data (a restarted pod), behind the same address.
    const up = loopWhere((r) => r.prometheusUp && Object.values(r.targets).every((t) => t.refreshed));
    prometheus = await startPrometheus(config(), data());
    relay.setUpstream(prometheus.port);
    const recovered = await up;
    expect(recovered.targets.web).toMatchObject({ refreshed: true, source: 'model' });
    const after = await metricsText();
    expect(gauge(after, 'forecast_controller_stale', 'target="web"')).toBe(0);
    expect(gauge(after, 'forecast_controller_prometheus_up', '')).toBe(1);
    expect((await app.inject({ method: 'GET', url: '/status' })).json().state).toBe('RUNNING');
    await once(controller, 'loop'); // and it keeps looping
  });
});
