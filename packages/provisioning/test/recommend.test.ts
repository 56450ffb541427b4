import { describe, expect, it } from 'vitest';
import {
  ProvisioningError,
  createRecommender,
  recommend,
  recommendReplicas,
  type Recommendation,
  type RecommendInput,
} from '../src/index.js';
import { constant, cpuInput, flatForecast, history, normalForecast } from './fixtures.js';

const rec = createRecommender();
const ok = (r: ReturnType<typeof rec.recommend>): Recommendation => {
  if (r.status !== 'ok') throw new Error(`expected a recommendation, got ${r.reason}`);
  return r;
};

function tenant(targets: Record<string, number>, current: Record<string, number>): RecommendInput {
  const forecasts = Object.fromEntries(Object.entries(targets).map(([m, v]) => [m, flatForecast(constant(30, v))]));
  const hist = Object.fromEntries(Object.keys(targets).map((m) => [m, history(120, 1)]));
  return { alpha: 0.75, forecasts, current, history: hist };
}

describe('cold start', () => {
  it('recommends nothing until minHistoryMinutes are observed, and says how many are missing', () => {
    const input = { ...cpuInput({ forecast: 10, current: 1 }), history: { cpu: history(45, 1) } };
    const r = rec.recommend(input);
    expect(r).toMatchObject({
      status: 'cold-start',
      minutesNeeded: 15,
      metrics: { cpu: { observedMinutes: 45, minutesNeeded: 15 } },
    });
    expect(r).not.toHaveProperty('action');
    expect(r.status === 'cold-start' && r.reason).toMatch(
      /^cpu has 45 observed minutes of history; 60 are needed before recommending \(15 more minutes\)$/,
    );
  });

  it('counts observed minutes, so a history of gaps is as cold as a short one', () => {
    const gappy = (n: number) => history(n, (i) => (i % 2 === 0 ? 1 : Number.NaN));
    // 100 minutes with every other one missing = 50 observed: 10 short of 60.
    expect(rec.recommend({ ...cpuInput({ forecast: 10, current: 1 }), history: { cpu: gappy(100) } })).toMatchObject({
      status: 'cold-start',
      minutesNeeded: 10,
    });
    expect(rec.recommend({ ...cpuInput({ forecast: 10, current: 1 }), history: { cpu: gappy(200) } }).status).toBe(
      'ok',
    );
    const sparse = history(200, (i) => (i % 5 === 0 ? 1 : Number.NaN)); // 40 observed
    expect(rec.recommend({ ...cpuInput({ forecast: 10, current: 1 }), history: { cpu: sparse } })).toMatchObject({
      status: 'cold-start',
      minutesNeeded: 20,
    });
  });

  it('is decided per tenant: one short metric holds back the whole recommendation', () => {
    const input = tenant({ cpu: 2, mem: 2 }, { cpu: 1, mem: 1 });
    const r = rec.recommend({ ...input, history: { cpu: history(120, 1), mem: history(10, 1) } });
    expect(r).toMatchObject({ status: 'cold-start', minutesNeeded: 50 });
    expect(r.status === 'cold-start' && Object.keys(r.metrics)).toEqual(['mem']);
  });

  it('honours a custom minimum', () => {
    const r = createRecommender({ minHistoryMinutes: 30 }).recommend({
      ...cpuInput({ forecast: 10, current: 1 }),
      history: { cpu: history(45, 1) },
    });
    expect(r.status).toBe('ok');
  });
});

describe('replicas', () => {
  it('is ceil(target / capacity) of the binding metric', () => {
    const r = recommendReplicas(
      { cpu: 3.2, mem: 4096 },
      { perReplicaCapacity: { cpu: 1, mem: 2048 }, minReplicas: 1, maxReplicas: undefined },
    );
    expect(r).toEqual({
      desired: 4,
      uncapped: 4,
      clampedTo: null,
      bindingMetric: 'cpu',
      perMetric: { cpu: 4, mem: 2 },
    });
  });

  it('breaks a tie in replica count by the load per replica', () => {
    const r = recommendReplicas(
      { cpu: 2.1, mem: 2.9 },
      { perReplicaCapacity: { cpu: 1, mem: 1 }, minReplicas: 1, maxReplicas: undefined },
    );
    expect(r?.bindingMetric).toBe('mem');
  });

  it('clamps to [minReplicas, maxReplicas] and says which end bound', () => {
    const opts = { perReplicaCapacity: { cpu: 1 }, minReplicas: 2, maxReplicas: 5 };
    expect(recommendReplicas({ cpu: 0 }, opts)).toMatchObject({ desired: 2, uncapped: 0, clampedTo: 'minReplicas' });
    expect(recommendReplicas({ cpu: 9.5 }, opts)).toMatchObject({ desired: 5, uncapped: 10, clampedTo: 'maxReplicas' });
    expect(recommendReplicas({ cpu: 4 }, opts)).toMatchObject({ desired: 4, clampedTo: null });
  });

  it('is null without a capacity for any forecast metric, and ignores capacities for absent metrics', () => {
    expect(
      recommendReplicas({ cpu: 3 }, { perReplicaCapacity: { requests: 100 }, minReplicas: 1, maxReplicas: undefined }),
    ).toBeNull();
    const r = createRecommender({ perReplicaCapacity: { cpu: 2, requests: 100 } }).recommend(
      cpuInput({ forecast: 7, current: 8 }),
    );
    expect(ok(r).replicas).toMatchObject({ desired: 4, bindingMetric: 'cpu', perMetric: { cpu: 4 } });
  });

  it('uses the uncapped target: maxAllowed caps one replica, not the demand', () => {
    const r = createRecommender({ perReplicaCapacity: { cpu: 1 }, maxAllowed: { cpu: 2 } }).recommend(
      cpuInput({ forecast: 6, current: 2 }),
    );
    expect(ok(r).vpa.target.cpu).toBe(2);
    expect(ok(r).replicas?.desired).toBe(6);
  });
});

describe('actions across metrics and horizons', () => {
  it('scales the tenant up when any metric needs it', () => {
    const r = ok(rec.recommend(tenant({ cpu: 4, mem: 50 }, { cpu: 2, mem: 100 })));
    expect(r.metrics.cpu.action).toBe('scale_up');
    expect(r.metrics.mem.action).toBe('scale_down');
    expect(r.action).toBe('scale_up');
    expect(r.reason).toMatch(/^cpu: target 4 > 2.2/);
  });

  it('scales down only when every metric can', () => {
    expect(ok(rec.recommend(tenant({ cpu: 1, mem: 50 }, { cpu: 2, mem: 100 }))).action).toBe('scale_down');
    const mixed = ok(rec.recommend(tenant({ cpu: 2, mem: 50 }, { cpu: 2, mem: 100 })));
    expect(mixed.action).toBe('hold');
    expect(mixed.reason).toMatch(/scale_down needs every metric/);
  });

  it('holds a scale-down when a longer horizon needs more (no flapping)', () => {
    // 20 until minute 20, then 200: the 15-minute target says down, the 30-minute one up.
    const values = constant(30, 20).map((v, t) => (t < 20 ? v : 200));
    const r = ok(rec.recommend(cpuInput({ forecast: flatForecast(values), current: 100 })));
    expect(r.metrics.cpu.horizons.map((h) => h.action)).toEqual(['scale_down', 'scale_down', 'scale_up']);
    expect(r.metrics.cpu.action).toBe('hold');
    expect(r.metrics.cpu.reason).toMatch(/the 30-minute horizon needs scale_up/);
  });

  it('lets a confident short horizon scale up when the decision horizon is too uncertain', () => {
    // Tight for 5 minutes at 150, then a very wide forecast: 15-minute confidence under the floor.
    const mean = constant(30, 150);
    const sd = constant(30, 1).map((s, t) => (t < 5 ? s : 200));
    const r = ok(rec.recommend(cpuInput({ forecast: normalForecast(mean, sd), current: 100 })));
    const [h5, h15] = r.metrics.cpu.horizons;
    expect(h5.action).toBe('scale_up');
    expect(h15.confidence).toBeLessThan(0.25);
    expect(h15.action).toBe('hold');
    expect(r.metrics.cpu.action).toBe('scale_up');
    expect(r.metrics.cpu.decision.horizonMinutes).toBe(5);
    expect(r.vpa.target.cpu).toBe(h5.target);
  });

  it('holds below the confidence floor at the decision horizon when no shorter horizon is sure', () => {
    const r = ok(rec.recommend(cpuInput({ forecast: normalForecast(constant(30, 150), 200), current: 100 })));
    expect(r.action).toBe('hold');
    expect(r.reason).toMatch(/below the floor 0.25/);
  });

  it('reports the weakest metric confidence and the decision horizon', () => {
    const input = tenant({ cpu: 2 }, { cpu: 2 });
    const r = ok(
      rec.recommend({ ...input, forecasts: { cpu: normalForecast(constant(30, 100), 10) }, current: { cpu: 100 } }),
    );
    expect(r.decisionHorizonMinutes).toBe(15);
    expect(r.confidence).toBeCloseTo(r.metrics.cpu.decision.confidence, 12);
  });

  it('supports other horizons and decision horizons', () => {
    const r = ok(
      createRecommender({ horizons: [10, 5], decisionHorizon: 10 }).recommend(cpuInput({ forecast: 3, current: 1 })),
    );
    expect(r.metrics.cpu.horizons.map((h) => h.horizonMinutes)).toEqual([5, 10]);
    expect(r.decisionHorizonMinutes).toBe(10);
  });

  it('returns plain JSON: no typed arrays, no NaN', () => {
    const r = ok(rec.recommend(cpuInput({ forecast: normalForecast(constant(30, 5), 1), current: 3 })));
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });
});

describe('validation', () => {
  const body = () => ({
    tier: 'premium',
    forecasts: {
      cpu: {
        quantiles: Array.from(flatForecast(constant(30, 2)).quantiles),
        levels: [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99],
      },
    },
    current: { cpu: 1 },
    history: { cpu: [...constant(100, 1), null, 1] },
  });
  const issuesOf = (fn: () => unknown): string[] => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(ProvisioningError);
      return (e as ProvisioningError).issues.map((i) => i.path);
    }
    throw new Error('expected a ProvisioningError');
  };

  it('accepts a JSON body (arrays, null = missing minute, tier instead of alpha)', () => {
    const r = recommend(body());
    expect(r.status).toBe('ok');
    expect(r.status === 'ok' && r.alpha).toBe(0.9);
  });

  it('names the field for shape errors', () => {
    expect(issuesOf(() => recommend({ ...body(), current: { cpu: -1 } }))).toEqual(['current.cpu']);
    expect(issuesOf(() => recommend({ ...body(), tier: undefined }))).toEqual(['alpha']);
    expect(issuesOf(() => recommend({ ...body(), alpha: 0.9 }))).toEqual(['alpha']);
    expect(issuesOf(() => recommend({ ...body(), options: { minReplicas: -1 } }))).toEqual(['options.minReplicas']);
    expect(issuesOf(() => recommend({ ...body(), options: { perReplicaCapacity: { cpu: 0 } } }))).toEqual([
      'options.perReplicaCapacity.cpu',
    ]);
    expect(issuesOf(() => recommend({ ...body(), history: { cpu: 'x' } }))).toEqual(['history.cpu']);
  });

  it('refuses unknown options (a typo would otherwise be dropped silently), naming them', () => {
    expect(issuesOf(() => recommend({ ...body(), options: { maxReplica: 5 } }))).toEqual(['options']);
    expect(issuesOf(() => recommend({ ...body(), options: { demand: { recentMinute: 5 } } }))).toEqual([
      'options.demand',
    ]);
    expect(() => recommend({ ...body(), options: { maxReplica: 5 } })).toThrow(/unknown option maxReplica/);
  });

  it('names the field for cross-field errors', () => {
    const b = body();
    expect(issuesOf(() => recommend({ ...b, current: {} }))).toEqual(['current.cpu']);
    expect(issuesOf(() => recommend({ ...b, history: {} }))).toEqual(['history.cpu']);
    expect(issuesOf(() => recommend({ ...b, forecasts: {} }))).toEqual(['forecasts']);
    expect(issuesOf(() => recommend({ ...b, forecasts: { cpu: { ...b.forecasts.cpu, levels: [0.5, 0.1] } } }))).toEqual(
      ['forecasts.cpu.levels'],
    );
    expect(
      issuesOf(() => recommend({ ...b, forecasts: { cpu: { ...b.forecasts.cpu, quantiles: [1, 2, 3] } } })),
    ).toEqual(['forecasts.cpu.quantiles']);
    expect(issuesOf(() => recommend({ ...b, forecasts: { cpu: { ...b.forecasts.cpu, horizon: 29 } } }))).toEqual([
      'forecasts.cpu.horizon',
    ]);
    expect(issuesOf(() => recommend({ ...b, options: { horizons: [5, 60] } }))).toEqual(['forecasts.cpu.quantiles']);
    expect(issuesOf(() => recommend({ ...b, options: { decisionHorizon: 7 } }))).toEqual(['options.decisionHorizon']);
    expect(issuesOf(() => recommend({ ...b, options: { minReplicas: 3, maxReplicas: 2 } }))).toEqual([
      'options.maxReplicas',
    ]);
    expect(issuesOf(() => recommend({ ...b, options: { minHistoryMinutes: 10 } }))).toEqual([
      'options.minHistoryMinutes',
    ]);
    expect(issuesOf(() => recommend({ ...b, options: { demand: { demandMetric: 'requests' } } }))).toEqual([
      'options.demand.demandMetric',
    ]);
  });

  it('lists every issue at once, in the message too', () => {
    const b = body();
    try {
      recommend({ ...b, current: {}, history: {} });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toBe(
        'bad-request: current.cpu: missing: every forecast metric needs its current allocation (0 if none); ' +
          'history.cpu: missing: every forecast metric needs its history (cold start is decided from it)',
      );
    }
  });

  it('applies the same checks on the typed path (no zod per call)', () => {
    const input = cpuInput({ forecast: 2, current: 1 });
    expect(issuesOf(() => rec.recommend({ ...input, alpha: 1 }))).toEqual(['alpha']);
    const q = input.forecasts.cpu.quantiles.slice();
    q[3] = Number.NaN;
    expect(
      issuesOf(() =>
        rec.recommend({ ...input, forecasts: { cpu: { quantiles: q, levels: input.forecasts.cpu.levels } } }),
      ),
    ).toEqual(['forecasts.cpu.quantiles']);
    expect(issuesOf(() => createRecommender({ confidenceFloor: 2 }))).toEqual(['options.confidenceFloor']);
  });
});
