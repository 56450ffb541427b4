/**
 * Racing (opt-in `options.racing`): successive halving in one step. Every sampled model input is
 * scored on a few validation windows first; only the best `survivors` of them (and the default's)
 * get their remaining validation windows and their final forecast. The rows a request costs are
 * then about K/2 · (first-round windows) + survivors · (the other windows + 1) instead of
 * K/2 · (all windows + 1): the model call, most of a K = 32 request, shrinks by half or more.
 *
 * Why: the model rows are the request's cost (docs/benchmarks.md: ~85 % of a K = 32 request's
 * CPU), and most of them go to configs that a few windows already show are not in contention —
 * the same bet Hyperband and successive halving make in hyper-parameter search. What it risks:
 * a config that looks bad on the first windows and would have won on all of them is dropped.
 * Whether that costs α-loss is measured, not assumed (`experiments.ts select-harness`, variants
 * 'v2 racing …', docs/results/harness-selection.md).
 *
 * Two model calls instead of one (the second waits for the first's scores). Statistical members
 * cost no rows and are never raced: they compete on every window in the final scoring.
 */
import type { QuantileForecast } from '@tsfm/tsfm-client';
import type { CandidateSet, ModelBatch } from './candidates.js';
import type { SampleSource } from './config-sampler.js';
import type { ConfigSpace } from './config-space.js';
import { modelRowsFor } from './forecaster.js';
import { RequestOptionsSchema, type RacingOptions, type SelectionMode } from './request.js';
import type { RacingReport } from './result.js';
import { rolloutRounds, type RolledOut } from './rollout.js';
import { buildRows, type BuiltRows, type PlanInput, type RowPlan } from './row-plan.js';
import { ScoreStatus, type Scores } from './scoring.js';
import { tenantScore } from './selection.js';

/**
 * A command line's racing setting: `W,S` (first-round windows, survivors) or `off` (null). Throws
 * a RangeError saying what is accepted; the ranges are the request schema's.
 */
export function parseRacing(text: string): RacingOptions | null {
  if (text === 'off') return null;
  const parts = text.split(',');
  const parsed =
    parts.length === 2 && parts.every((p) => /^\d+$/.test(p))
      ? RequestOptionsSchema.shape.racing.safeParse({ windows: Number(parts[0]), survivors: Number(parts[1]) })
      : null;
  if (parsed === null || !parsed.success || parsed.data === null)
    throw new RangeError(`must be W,S (first-round windows and survivors, 1–64 each) or off, got '${text}'`);
  return parsed.data;
}

/**
 * Which origins the first round scores: `windows` of the W validation origins (1…W; 0 is the final
 * forecast), spread evenly and including the latest (o = 1) and the earliest (o = W) — with the
 * default placement that is the most recent tail window and the furthest same-time window, the two
 * views of the tenant that most often disagree. Returns a mask over origins 0…W.
 */
export function firstRoundOrigins(validationWindows: number, windows: number): Uint8Array {
  const W = validationWindows;
  const mask = new Uint8Array(W + 1);
  if (W === 0) return mask;
  if (windows >= W) {
    mask.fill(1, 1);
    return mask;
  }
  if (windows === 1) {
    mask[1] = 1;
    return mask;
  }
  for (let i = 0; i < windows; i++) mask[1 + Math.round((i * (W - 1)) / (windows - 1))] = 1;
  return mask;
}

/** `scorable` with every origin outside `origins` switched off (scores on the first round's windows). */
export function restrictScorable(scorable: Uint8Array, originCount: number, origins: Uint8Array): Uint8Array {
  const out = new Uint8Array(scorable.length);
  for (let i = 0; i < scorable.length; i++) out[i] = origins[i % originCount] === 1 ? scorable[i] : 0;
  return out;
}

export interface SurvivorInput {
  readonly space: ConfigSpace;
  /** Config indexes of the first round's candidates, in sample order (the default at position 0). */
  readonly used: readonly number[];
  /** The first round's scores of those candidates (model configs only). */
  readonly scores: Scores;
  readonly metricCount: number;
  readonly selection: SelectionMode;
  readonly survivors: number;
}

/**
 * The families that go on: the default's, and the `survivors` best others by their best member's
 * first-round score — the tenant score, or under per-metric selection each metric's own loss (a
 * family that is among the best on any metric goes on). Families without a finite score on the
 * first round are dropped — unless none has one (no observation in any first-round window): with
 * no evidence to race on, every family goes on. Returns a mask over the space's families.
 */
export function survivingFamilies(input: SurvivorInput): Uint8Array {
  const { space, used, scores, metricCount: M, selection } = input;
  const keep = new Uint8Array(space.families.length);
  keep[space.familyOf[used[0]]] = 1;
  let evidence = false;
  const rankings: ((c: number) => number)[] =
    selection === 'per-metric'
      ? Array.from(
          { length: M },
          (_, m) => (c: number) =>
            scores.status[c * M + m] === ScoreStatus.Scored ? scores.loss[c * M + m] : Number.NaN,
        )
      : [(c: number) => tenantScore(scores, c, M)];
  for (const score of rankings) {
    // The family's score: its best member's (post-processing variants share the family's rows).
    const best = new Map<number, number>();
    used.forEach((config, c) => {
      const s = score(c);
      if (!(s === s) || s === Number.POSITIVE_INFINITY) return;
      const f = space.familyOf[config];
      const held = best.get(f);
      if (held === undefined || s < held) best.set(f, s);
    });
    if (best.size === 0) continue;
    const defaultFamily = space.familyOf[used[0]];
    // Ties broken by family index: deterministic for a seed.
    const ranked = [...best].filter(([f]) => f !== defaultFamily).sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    for (const [f] of ranked.slice(0, input.survivors)) keep[f] = 1;
    evidence = true;
  }
  if (!evidence) for (const config of used) keep[space.familyOf[config]] = 1;
  return keep;
}

/**
 * Families besides the default's that survivingFamilies may keep: `survivors`, per metric under
 * per-metric selection.
 */
export function survivorsBesidesDefault(racing: RacingOptions, selection: SelectionMode, metricCount: number): number {
  return racing.survivors * (selection === 'per-metric' ? metricCount : 1);
}

/**
 * What the cost model budgets with in `enforce` mode: for each prefix of the sample, an upper
 * bound of the model rows racing runs — the first round's rows of the prefix, plus the other
 * windows' and the final rows of the default's model input and of the `survivors` other inputs
 * (survivorsBesidesDefault) with the most such rows (rows shared between inputs are counted for
 * each) — and never more than the prefix's rows without racing. Non-decreasing, like the plan's
 * own. Not a bound in one case: a first round with no observation at all keeps every input.
 */
export function racingRowsInPrefix(
  plan: RowPlan,
  space: ConfigSpace,
  order: readonly number[],
  first: Uint8Array,
  survivors: number,
  horizon: number,
  metricCount: number,
): Float64Array {
  const O = first.length;
  const M = metricCount;
  const slotRows = new Float64Array(plan.slotFamily.length);
  for (let s = 0; s < slotRows.length; s++) {
    const fam = space.families[plan.slotFamily[s]];
    let needed = 0;
    for (let m = 0; m < M; m++) needed += plan.needs[s * M + m];
    slotRows[s] = needed * modelRowsFor(fam) * rolloutRounds(horizon, fam.maxHorizonMinutes);
  }
  const out = new Float64Array(order.length);
  const defaultFamily = space.familyOf[order[0]];
  const seen = new Set<number>();
  /** The other families' rows beyond the first round, largest first, at most `survivors` of them. */
  const largest: number[] = [];
  let firstRows = 0;
  let slotsCounted = 0;
  let defaultRest = 0;
  for (let c = 0; c < order.length; c++) {
    for (; slotsCounted < plan.slotsInPrefix[c]; slotsCounted++)
      if (first[plan.slotOrigin[slotsCounted]] === 1) firstRows += slotRows[slotsCounted];
    const f = space.familyOf[order[c]];
    if (!seen.has(f)) {
      seen.add(f);
      let rest = 0;
      for (let o = 0; o < O; o++) if (first[o] !== 1) rest += slotRows[plan.slotOf[c * O + o]];
      if (f === defaultFamily) defaultRest = rest;
      else {
        largest.push(rest);
        largest.sort((a, b) => b - a);
        if (largest.length > survivors) largest.length = survivors;
      }
    }
    const bound = firstRows + defaultRest + largest.reduce((a, b) => a + b, 0);
    out[c] = Math.min(bound, plan.modelRowsInPrefix[c]);
  }
  return out;
}

/** The model stage's outcome (search.ts): what the candidates read, and what it cost. */
export interface ModelStage {
  readonly batch: ModelBatch;
  readonly modelRows: number;
  readonly requestRows: number;
  readonly calls: number;
  readonly racing: RacingReport | null;
}

/** One model call on some rows (every model's rows, the cost model told). */
export type ModelCall = (rows: BuiltRows) => Promise<RolledOut>;

/** What the build-rows stage decided for racing: its settings and first-round origins. */
export interface RacingRounds {
  readonly kind: 'racing';
  readonly racing: RacingOptions;
  readonly first: Uint8Array;
}

export interface RaceInput extends RacingRounds {
  readonly plan: RowPlan;
  readonly planInput: PlanInput;
  /** Slots of the configs K kept. */
  readonly slotCount: number;
  /** Config indexes the request tries, in sample order (the default at 0). */
  readonly used: readonly number[];
  readonly sources: readonly SampleSource[];
  readonly call: ModelCall;
  /** The model configs of a batch as candidates (no statistical members). */
  readonly candidates: (batch: ModelBatch) => CandidateSet;
  /** Scores a set on the windows `scorable` marks (validation-data.ts' layout). */
  readonly score: (set: CandidateSet, scorable: Uint8Array) => Scores;
  readonly selection: SelectionMode;
}

/**
 * Round 1: every sampled model input on the first-round windows, scored there; round 2: the
 * survivors' other windows and final forecasts (rows round 1 ran are not run again). The batch it
 * returns holds the survivors' configs only, in sample order, reading rows of both calls.
 */
export async function raceRounds(input: RaceInput): Promise<ModelStage> {
  const { plan, planInput, slotCount, used, sources, first } = input;
  const { space } = planInput;
  const O = first.length;
  const wanted1 = Uint8Array.from({ length: slotCount }, (_, s) => first[plan.slotOrigin[s]]);
  const rows1 = buildRows(plan, slotCount, planInput, wanted1);
  const call1 = await input.call(rows1);
  const scores1 = input.score(
    input.candidates({
      space,
      used,
      sources,
      slotOf: plan.slotOf,
      rowIndex: rows1.rowIndex,
      forecasts: call1.forecasts,
    }),
    restrictScorable(planInput.scorable, O, first),
  );
  const keep = survivingFamilies({
    space,
    used,
    scores: scores1,
    metricCount: planInput.series.length,
    selection: input.selection,
    survivors: input.racing.survivors,
  });

  const positions = used.flatMap((config, c) => (keep[space.familyOf[config]] === 1 ? [c] : []));
  const wanted2 = new Uint8Array(slotCount);
  for (const c of positions) {
    for (let o = 0; o < O; o++) {
      const s = plan.slotOf[c * O + o];
      if (wanted1[s] !== 1) wanted2[s] = 1;
    }
  }
  const rows2 = buildRows(plan, slotCount, planInput, wanted2);
  const call2 = await input.call(rows2);
  const rowIndex = Int32Array.from(rows1.rowIndex, (r, i) =>
    r >= 0 ? r : rows2.rowIndex[i] >= 0 ? rows1.rows.length + rows2.rowIndex[i] : -1,
  );
  const slotOf = new Int32Array(positions.length * O);
  positions.forEach((c, p) => slotOf.set(plan.slotOf.subarray(c * O, (c + 1) * O), p * O));
  const forecasts: QuantileForecast[] = [...call1.forecasts, ...call2.forecasts];
  return {
    batch: {
      space,
      used: positions.map((c) => used[c]),
      sources: positions.map((c) => sources[c]),
      slotOf,
      rowIndex,
      forecasts,
    },
    modelRows: rows1.modelRows + rows2.modelRows,
    requestRows: rows1.rows.length + rows2.rows.length,
    calls: call1.calls + call2.calls,
    racing: {
      firstRoundWindows: first.reduce((a, b) => a + b, 0),
      families: new Set(used.map((config) => space.familyOf[config])).size,
      survivingFamilies: keep.reduce((a, b) => a + b, 0),
      configsDropped: used.length - positions.length,
      firstRoundModelRows: rows1.modelRows,
      secondRoundModelRows: rows2.modelRows,
    },
  };
}
