/**
 * The batch: which model rows one request needs, deduplicated, in the sample's order.
 *
 * A config needs, per metric, one row per origin: the W validation origins (n − h, …, n − W·h)
 * and the final origin n. Two rows are the same model input — and run once — when they share
 * model, metric, origin, resolution, normalisation, flip and EFFECTIVE context min(contextLength,
 * ⌊origin / r⌋) (the client feeds exactly that many coarse steps, so a 512-step and a 256-step
 * config on a 165-bucket history see identical input). Post-processing knobs never enter the key.
 * A "slot" is such a key without the metric; it holds one row per metric that needs it.
 *
 * Rows are skipped (never silently: the scorer reports each) when a validation window has no
 * observed value for that metric, or when the row's context window holds no observation.
 * Because slots are created in sample order, the rows of any prefix of the sample are a prefix
 * of the slots — which is what lets the cost model lower K by truncation.
 */
import type { ForecastRow } from '@tsfm/tsfm-client';
import type { ConfigSpace } from './config-space.js';
import { effectiveContext } from './config-space.js';
import { modelRowsFor } from './forecaster.js';
import { rolloutRounds } from './rollout.js';

export interface PlanInput {
  readonly space: ConfigSpace;
  /** Sampled config indexes in order. */
  readonly order: readonly number[];
  readonly series: readonly Float32Array[];
  readonly horizon: number;
  /** ends[0] = n (final origin), ends[o] = n − o·h for validation window o = 1…W. */
  readonly ends: readonly number[];
  /** lastObs[m·O + o]: last observed index of metric m before ends[o]. */
  readonly lastObs: Int32Array;
  /** scorable[m·O + o] (o ≥ 1): the validation window of metric m at origin o has an observation. */
  readonly scorable: Uint8Array;
}

export interface RowPlan {
  /** slotOf[c·O + o]: slot of the c-th sampled config at origin o. */
  readonly slotOf: Int32Array;
  readonly slotFamily: readonly number[];
  readonly slotOrigin: readonly number[];
  /** Slots used by the first c + 1 configs. */
  readonly slotsInPrefix: Int32Array;
  /** Model rows (flip counts 2, a rolled-out row once per round) of the first c + 1 configs. */
  readonly modelRowsInPrefix: Float64Array;
  /** Request rows of the first c + 1 configs, without dedupe (what a naive batch would send). */
  readonly naiveRowsInPrefix: Float64Array;
  /** needs[s·M + m]: slot s needs a row for metric m. */
  readonly needs: Uint8Array;
}

const SLOT_EFFECTIVE_CONTEXT_SPAN = 1 << 20;

export function planRows(input: PlanInput): RowPlan {
  const { space, order, series, ends, lastObs, scorable } = input;
  const O = ends.length;
  const M = series.length;
  const K = order.length;
  const slotOf = new Int32Array(K * O);
  const slotsInPrefix = new Int32Array(K);
  const modelRowsInPrefix = new Float64Array(K);
  const naiveRowsInPrefix = new Float64Array(K);
  const slotFamily: number[] = [];
  const slotOrigin: number[] = [];
  const needsList: number[] = [];
  const slotByKey = new Map<number, number>();
  let modelRows = 0;
  let naiveRows = 0;
  for (let c = 0; c < K; c++) {
    const f = space.familyOf[order[c]];
    const fam = space.families[f];
    const r = fam.resolutionMinutes;
    const perRow = modelRowsFor(fam) * rolloutRounds(input.horizon, fam.maxHorizonMinutes);
    for (let o = 0; o < O; o++) {
      const end = ends[o];
      const steps = effectiveContext(fam.contextLength, r, end);
      // Integer key: exact, and cheaper than building a string per (config, origin).
      const key = ((o * SLOT_EFFECTIVE_CONTEXT_SPAN + steps) * space.strata + fam.stratum) * 2 + (fam.flip ? 1 : 0);
      let s = slotByKey.get(key);
      let needed = 0;
      if (s === undefined) {
        s = slotFamily.length;
        slotByKey.set(key, s);
        slotFamily.push(f);
        slotOrigin.push(o);
        const windowStart = end - steps * r;
        for (let m = 0; m < M; m++) {
          const need =
            steps >= 1 && (o === 0 || scorable[m * O + o] === 1) && lastObs[m * O + o] >= windowStart ? 1 : 0;
          needsList.push(need);
          needed += need;
        }
        modelRows += needed * perRow;
      } else {
        for (let m = 0; m < M; m++) needed += needsList[s * M + m];
      }
      naiveRows += needed;
      slotOf[c * O + o] = s;
    }
    slotsInPrefix[c] = slotFamily.length;
    modelRowsInPrefix[c] = modelRows;
    naiveRowsInPrefix[c] = naiveRows;
  }
  return {
    slotOf,
    slotFamily,
    slotOrigin,
    slotsInPrefix,
    modelRowsInPrefix,
    naiveRowsInPrefix,
    needs: Uint8Array.from(needsList),
  };
}

export interface BuiltRows {
  readonly rows: ForecastRow[];
  /** rowModel[r]: the model (index into space.models) row r goes to. */
  readonly rowModel: Int32Array;
  /** rowIndex[s·M + m]: index into rows, −1 when slot s has no row for metric m. */
  readonly rowIndex: Int32Array;
  readonly modelRows: number;
}

/**
 * The request rows of the first `slotCount` slots — of those with `wanted[s] = 1` when `wanted` is
 * given (racing.ts).
 */
export function buildRows(plan: RowPlan, slotCount: number, input: PlanInput, wanted?: Uint8Array): BuiltRows {
  const { space, series, ends, horizon } = input;
  const M = series.length;
  const rowIndex = new Int32Array(slotCount * M).fill(-1);
  const rows: ForecastRow[] = [];
  const rowModel: number[] = [];
  let modelRows = 0;
  for (let s = 0; s < slotCount; s++) {
    if (wanted !== undefined && wanted[s] !== 1) continue;
    const fam = space.families[plan.slotFamily[s]];
    const end = ends[plan.slotOrigin[s]];
    const perRow = modelRowsFor(fam) * rolloutRounds(horizon, fam.maxHorizonMinutes);
    for (let m = 0; m < M; m++) {
      if (plan.needs[s * M + m] !== 1) continue;
      rowIndex[s * M + m] = rows.length;
      rows.push({ values: series[m], end, horizon, config: fam.rawConfig });
      rowModel.push(fam.model);
      modelRows += perRow;
    }
  }
  return { rows, rowModel: Int32Array.from(rowModel), rowIndex, modelRows };
}
