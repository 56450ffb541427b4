import { describe, expect, it } from 'vitest';
import {
  SURGE_FACTOR_CAP,
  createRecommender,
  demandLevel,
  demandReport,
  resourceMode,
  surgeFactor,
  type DemandReport,
  type RecommendInput,
} from '../src/index.js';
import { constant, flatForecast, history } from './fixtures.js';

const rec = createRecommender();

/** 105 minutes at `baseline`, then 15 at `recent`; a flat forecast at `predicted`. */
function requestsInput(o: {
  baseline: number;
  recent: number;
  predicted: number;
  extra?: Partial<RecommendInput>;
}): RecommendInput {
  return {
    alpha: 0.75,
    forecasts: { requests: flatForecast(constant(30, o.predicted)) },
    current: { requests: 1000 },
    history: { requests: history(120, (i) => (i < 105 ? o.baseline : o.recent)) },
    ...o.extra,
  };
}

const report = (input: RecommendInput): DemandReport => {
  const r = rec.demandReport(input);
  if (r.status !== 'ok') throw new Error(r.reason);
  return r;
};
const kinds = (r: DemandReport) => r.actions.map((a) => a.kind);

describe('demand level', () => {
  it('follows the issue exactly: > 3 critical, > 1.5 elevated, > 1 normal, ≤ 1 low', () => {
    expect(demandLevel(0)).toBe('low');
    expect(demandLevel(1)).toBe('low');
    expect(demandLevel(1.0000001)).toBe('normal');
    expect(demandLevel(1.5)).toBe('normal');
    expect(demandLevel(1.5000001)).toBe('elevated');
    expect(demandLevel(3)).toBe('elevated');
    expect(demandLevel(3.0000001)).toBe('critical');
  });

  it.each([
    [2, 'low'],
    [3, 'normal'],
    [6, 'elevated'],
    [6.5, 'critical'],
  ] as const)('recent %s over a baseline of 2 is %s (boundaries at exactly 1, 1.5, 3)', (recent, level) => {
    const r = report(requestsInput({ baseline: 2, recent, predicted: 1 }));
    expect(r.surgeFactor).toBe(recent / 2);
    expect(r.level).toBe(level);
  });

  it('maps elevated and critical to surge mode, the rest to steady', () => {
    expect(['low', 'normal', 'elevated', 'critical'].map((l) => resourceMode(l as never))).toEqual([
      'steady',
      'steady',
      'surge',
      'surge',
    ]);
  });
});

describe('rates and surge factor', () => {
  it('keeps the recent window out of the baseline', () => {
    const r = report(requestsInput({ baseline: 2, recent: 100, predicted: 1 }));
    expect(r).toMatchObject({ recentRate: 100, baselineRate: 2, predictedRate: 1, surgeFactor: 50 });
    expect(r.windows).toEqual({ recentMinutes: 15, baselineMinutes: 105, predictMinutes: 15 });
  });

  it('uses at most baselineMinutes before the recent window', () => {
    const input = requestsInput({ baseline: 2, recent: 2, predicted: 2 });
    const r = createRecommender({ minHistoryMinutes: 40, demand: { baselineMinutes: 30 } }).demandReport({
      ...input,
      history: { requests: history(120, (i) => (i < 75 ? 100 : 2)) },
    });
    expect(r).toMatchObject({ status: 'ok', baselineRate: 2, windows: { baselineMinutes: 30 } });
  });

  it('takes the larger of recent and predicted over the baseline', () => {
    expect(report(requestsInput({ baseline: 10, recent: 10, predicted: 35 })).surgeFactor).toBe(3.5);
    expect(report(requestsInput({ baseline: 10, recent: 35, predicted: 10 })).surgeFactor).toBe(3.5);
  });

  it('reports the median-forecast mean for each horizon', () => {
    const values = constant(30, 10).map((v, t) => (t < 5 ? 40 : v));
    const r = report({
      ...requestsInput({ baseline: 10, recent: 10, predicted: 0 }),
      forecasts: { requests: flatForecast(values) },
    });
    expect(r.metrics.requests.predictedByHorizon).toEqual({ '5': 40, '15': 20, '30': 15 });
    expect(r.predictedRate).toBe(20);
  });

  it('stays finite on a zero baseline', () => {
    expect(surgeFactor(0, 0)).toBe(1);
    expect(surgeFactor(5, 0)).toBe(SURGE_FACTOR_CAP);
    expect(report(requestsInput({ baseline: 0, recent: 0, predicted: 0 })).level).toBe('low');
  });

  it('skips missing minutes and reports a recent window without data as null', () => {
    const input = requestsInput({ baseline: 4, recent: Number.NaN, predicted: 4 });
    const r = report(input);
    expect(r.recentRate).toBeNull();
    expect(r.baselineRate).toBe(4);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('reads the headline from requests, else cpu, else the first metric, or demand.demandMetric', () => {
    const two = (names: string[]): RecommendInput => ({
      alpha: 0.75,
      forecasts: Object.fromEntries(names.map((n) => [n, flatForecast(constant(30, 1))])),
      current: Object.fromEntries(names.map((n) => [n, 1])),
      history: Object.fromEntries(names.map((n) => [n, history(120, 1)])),
    });
    expect(report(two(['cpu', 'requests'])).demandMetric).toBe('requests');
    expect(report(two(['mem', 'cpu'])).demandMetric).toBe('cpu');
    expect(report(two(['mem', 'net'])).demandMetric).toBe('mem');
    const r = createRecommender({ demand: { demandMetric: 'net' } }).demandReport(two(['mem', 'net']));
    expect(r.status === 'ok' && r.demandMetric).toBe('net');
  });
});

describe('recommended actions', () => {
  it('holds when nothing stands out', () => {
    expect(kinds(report(requestsInput({ baseline: 10, recent: 11, predicted: 11 })))).toEqual(['hold']);
  });

  it('pre-warms when a surge is predicted but has not arrived', () => {
    const r = report(requestsInput({ baseline: 10, recent: 10, predicted: 20 }));
    expect(r).toMatchObject({ level: 'elevated', resourceMode: 'surge' });
    expect(kinds(r)).toEqual(['pre-warm']);
    expect(r.actions[0].reason).toMatch(/predicted at 20 .* 2\.00× the baseline 10/);
  });

  it('does not pre-warm a surge that is already here', () => {
    const r = report(requestsInput({ baseline: 10, recent: 20, predicted: 20 }));
    expect(r.resourceMode).toBe('surge');
    expect(kinds(r)).not.toContain('pre-warm');
  });

  it('throttles background work when demand is critical and cpu-bound', () => {
    const withCpu = (cpuForecast: number): RecommendInput => {
      const base = requestsInput({ baseline: 10, recent: 40, predicted: 40 });
      return {
        ...base,
        forecasts: { ...base.forecasts, cpu: flatForecast(constant(30, cpuForecast)) },
        current: { ...base.current, cpu: 1 },
        history: { ...base.history, cpu: history(120, 0.5) },
      };
    };
    expect(kinds(report(withCpu(0.9)))).toEqual(['throttle-background']);
    expect(report(withCpu(0.9)).actions[0].reason).toMatch(/cpu target 0\.9 ≥ 0\.8 × current 1/);
    expect(kinds(report(withCpu(0.5)))).toEqual(['hold']);
  });

  it('investigates a sudden collapse far below the baseline', () => {
    const r = report(requestsInput({ baseline: 100, recent: 10, predicted: 100 }));
    expect(kinds(r)).toContain('investigate-failures');
    expect(r.actions.find((a) => a.kind === 'investigate-failures')?.reason).toMatch(/collapsed to 10 .* baseline 100/);
  });

  it('does not call a gradual (diurnal) decline a collapse', () => {
    // Baseline averages ~67, the hour before the recent window is already down at 15.
    const input = requestsInput({ baseline: 0, recent: 0, predicted: 10 });
    const r = report({ ...input, history: { requests: history(120, (i) => (i < 45 ? 100 : i < 105 ? 15 : 10)) } });
    expect(r.recentRate).toBe(10);
    expect(r.recentRate!).toBeLessThan(0.2 * r.baselineRate);
    expect(kinds(r)).not.toContain('investigate-failures');
  });

  it('investigates a demand drop that comes with an error surge', () => {
    const base = requestsInput({ baseline: 100, recent: 60, predicted: 60 });
    const errors = history(120, (i) => (i < 105 ? 1 : 5));
    const r = report({ ...base, history: { ...base.history, errors } });
    expect(kinds(r)).toEqual(['investigate-failures']);
    expect(r.actions[0].reason).toMatch(/errors rose to 5 \(baseline 1/);
    // The same error surge while demand is up is load, not failure.
    const busy = requestsInput({ baseline: 100, recent: 120, predicted: 120 });
    expect(kinds(report({ ...busy, history: { ...busy.history, errors } }))).not.toContain('investigate-failures');
  });

  it('investigates when the demand metric went silent', () => {
    const r = report(requestsInput({ baseline: 4, recent: Number.NaN, predicted: 4 }));
    expect(kinds(r)).toEqual(['investigate-failures']);
    expect(r.actions[0].reason).toMatch(/no observation of requests in the last 15 minutes/);
  });
});

describe('demand report entry points', () => {
  it('is cold-start until enough history', () => {
    const input = requestsInput({ baseline: 1, recent: 1, predicted: 1 });
    expect(rec.demandReport({ ...input, history: { requests: history(30, 1) } })).toMatchObject({
      status: 'cold-start',
      minutesNeeded: 30,
    });
  });

  it('validates a JSON request and is embedded in the recommendation', () => {
    const input = requestsInput({ baseline: 10, recent: 10, predicted: 20 });
    const body = {
      alpha: 0.75,
      forecasts: {
        requests: {
          quantiles: Array.from(input.forecasts.requests.quantiles),
          levels: [...input.forecasts.requests.levels],
        },
      },
      current: { requests: 1000 },
      history: { requests: Array.from(input.history.requests) },
    };
    const standalone = demandReport(body);
    expect(standalone).toMatchObject({ status: 'ok', level: 'elevated' });
    const full = rec.recommend(input);
    expect(full.status === 'ok' && full.demand).toEqual(standalone);
  });
});

describe('seasonal baseline: the same time of day or week, not the 24-hour mean', () => {
  /**
   * Busy days (10 from 08:00 to 20:00), quiet nights (1); `days` days ending at 02:00 with `spike`
   * over the last 15 minutes.
   */
  function diurnal(days: number, spike: number): RecommendInput {
    const n = days * 1440 + 120; // ends at 02:00 on the last day
    const values = history(n, (i) => {
      if (i >= n - 15) return spike;
      const minuteOfDay = i % 1440;
      return minuteOfDay >= 480 && minuteOfDay < 1200 ? 10 : 1;
    });
    return {
      alpha: 0.75,
      forecasts: { requests: flatForecast(constant(30, spike)) },
      current: { requests: 100 },
      history: { requests: values },
    };
  }

  it('a 4× spike at the nightly low reads critical against the same time yesterday (it read low against the daily mean)', () => {
    const seasonal = rec.demandReport(diurnal(2, 4)) as DemandReport;
    expect(seasonal).toMatchObject({
      baselineKind: 'same-time-of-day',
      baselineRate: 1,
      surgeFactor: 4,
      level: 'critical',
    });
    expect(seasonal.windows.baselineMinutes).toBe(30); // two earlier nights × 15 minutes
    const mean = createRecommender({ demand: { baseline: 'mean' } }).demandReport(diurnal(2, 4)) as DemandReport;
    expect(mean.baselineKind).toBe('preceding-mean');
    expect(mean.level).toBe('low'); // 4 against a daily mean of 5.5
  });

  it('uses the same time of week once the history covers a week', () => {
    const r = rec.demandReport(diurnal(8, 4)) as DemandReport;
    expect(r).toMatchObject({ baselineKind: 'same-time-of-week', baselineRate: 1, level: 'critical' });
  });

  it('falls back to the mean before the recent window under a day of history', () => {
    const r = rec.demandReport(requestsInput({ baseline: 15, recent: 20, predicted: 20 })) as DemandReport;
    expect(r).toMatchObject({ baselineKind: 'preceding-mean', baselineRate: 15 });
  });
});
