/**
 * From per-tenant outcomes to the numbers in the tables: point counts per method (scheduled,
 * scored, failed with reasons, unscorable) and paired comparisons against a reference method,
 * over all points or a group of tenants. Pairs are formed only where BOTH methods scored the
 * point; the count of pairs is printed next to every statistic.
 */
import type { MethodPoints, TenantOutcome } from './evaluate-tenant.js';
import { pairedSummary, type PairedOptions, type PairedSummary } from './stats.js';

export interface MethodCounts {
  readonly name: string;
  /** (tenant, origin) points the method was scheduled on. */
  readonly scheduled: number;
  /** Scheduled points with a finite loss. */
  readonly scored: number;
  /** Scheduled points where the method failed (reason counted below). */
  readonly failed: number;
  /** Scheduled points with no observed actual (no method can be scored there). */
  readonly unscorable: number;
  /** scheduled − scored: every point that has no loss, for any reason. Must be 0. */
  readonly dropped: number;
  readonly reasons: Readonly<Record<string, number>>;
  /** Wall seconds spent in the method (summed over tenants and threads). */
  readonly seconds: number;
}

/** A method's points in one tenant's outcome; throws when the run did not include the method. */
export function methodPoints(outcome: TenantOutcome, name: string): MethodPoints {
  const method = outcome.methods.find((m) => m.name === name);
  if (method === undefined) throw new Error(`tenant ${outcome.tenantId}: the run has no method '${name}'`);
  return method;
}

export function methodCounts(outcomes: readonly TenantOutcome[], name: string): MethodCounts {
  let scheduled = 0;
  let scored = 0;
  let failed = 0;
  let unscorable = 0;
  let ms = 0;
  const reasons: Record<string, number> = {};
  for (const o of outcomes) {
    const m = o.methods.find((x) => x.name === name);
    if (m === undefined) continue;
    ms += m.ms;
    const un = new Set(o.unscorable);
    for (let i = 0; i < m.scheduled.length; i++) {
      if (m.scheduled[i] !== 1) continue;
      scheduled++;
      if (Number.isFinite(m.loss[i])) scored++;
      else if (un.has(i)) unscorable++;
    }
    failed += m.failures.length;
    for (const f of m.failures) reasons[f.reason] = (reasons[f.reason] ?? 0) + 1;
  }
  return { name, scheduled, scored, failed, unscorable, dropped: scheduled - scored, reasons, seconds: ms / 1000 };
}

export interface PairedPoints {
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly cluster: Int32Array;
}

/** Points where both methods have a finite loss; cluster = tenant index in `outcomes`. */
export function pairedPoints(
  outcomes: readonly TenantOutcome[],
  a: string,
  b: string,
  keep: (o: TenantOutcome) => boolean = () => true,
): PairedPoints {
  const xs: number[] = [];
  const ys: number[] = [];
  const cs: number[] = [];
  outcomes.forEach((o, t) => {
    if (!keep(o)) return;
    const ma = o.methods.find((x) => x.name === a);
    const mb = o.methods.find((x) => x.name === b);
    if (ma === undefined || mb === undefined) return;
    for (let i = 0; i < ma.loss.length; i++) {
      const x = ma.loss[i];
      const y = mb.loss[i];
      if (Number.isFinite(x) && Number.isFinite(y)) {
        xs.push(x);
        ys.push(y);
        cs.push(t);
      }
    }
  });
  return { a: Float64Array.from(xs), b: Float64Array.from(ys), cluster: Int32Array.from(cs) };
}

export interface Comparison {
  readonly reference: string;
  readonly other: string;
  readonly group: string;
  /** null when the two methods share no point in the group. */
  readonly summary: PairedSummary | null;
}

export function compare(
  outcomes: readonly TenantOutcome[],
  reference: string,
  other: string,
  group: string,
  keep?: (o: TenantOutcome) => boolean,
  options?: PairedOptions,
): Comparison {
  const p = pairedPoints(outcomes, reference, other, keep);
  return { reference, other, group, summary: p.a.length === 0 ? null : pairedSummary(p.a, p.b, p.cluster, options) };
}

/** Mean loss of a method over its scored points (optionally within a group). */
export function meanLoss(
  outcomes: readonly TenantOutcome[],
  name: string,
  keep: (o: TenantOutcome) => boolean = () => true,
): { mean: number; points: number } {
  let s = 0;
  let n = 0;
  for (const o of outcomes) {
    if (!keep(o)) continue;
    const m = o.methods.find((x) => x.name === name);
    if (m === undefined) continue;
    for (const v of m.loss) {
      if (Number.isFinite(v)) {
        s += v;
        n++;
      }
    }
  }
  return { mean: n === 0 ? Number.NaN : s / n, points: n };
}

export function percentiles(values: readonly number[], qs: readonly number[]): number[] {
  const sorted = values.filter(Number.isFinite).sort((x, y) => x - y);
  return qs.map((q) =>
    sorted.length === 0
      ? Number.NaN
      : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))],
  );
}
