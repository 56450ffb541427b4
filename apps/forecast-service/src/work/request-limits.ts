/**
 * What one request may make the service spend, checked before anything is allocated for it.
 *
 * The body limit alone does not bound the work: 287 bytes of Prometheus JSON (two samples 60
 * years apart) asked for a 31-million-minute grid, and 6 MB held 100 000 series. Each cap below
 * is checked on the raw input (array lengths, timestamp spans) before a typed array is made, so
 * a rejected request costs a scan of what it sent and nothing more.
 */
export interface RequestLimits {
  /** Longest horizon in minutes (the model's reach at its coarsest resolution). */
  readonly maxHorizon: number;
  readonly maxK: number;
  readonly maxBudgetMs: number;
  /** Metrics (JSON history keys, or Prometheus series) in one request. */
  readonly maxSeries: number;
  /** Points of one series as sent (before finer-than-minute steps are averaged to minutes). */
  readonly maxPointsPerSeries: number;
  /** Minutes of the one grid a request's series are aligned on. */
  readonly maxMinutes: number;
  /** Series × minutes: the floats the request turns into. */
  readonly maxGridPoints: number;
  /** Characters of a metric name (names are echoed in answers and used as keys). */
  readonly maxNameLength: number;
}

export const DEFAULT_REQUEST_LIMITS = {
  maxK: 256,
  maxBudgetMs: 60_000,
  maxSeries: 16,
  // 30 days at a 15-second scrape.
  maxPointsPerSeries: 172_800,
  // 30 days: the longest context the harness reads is 512 steps at 60-minute resolution (21 days).
  maxMinutes: 43_200,
  // 8 metrics × 30 days, or 16 × 15 days: 1.4 MB of float32.
  maxGridPoints: 345_600,
  maxNameLength: 200,
} as const satisfies Omit<RequestLimits, 'maxHorizon'>;

export function requestLimits(maxHorizon: number, overrides: Partial<RequestLimits> = {}): RequestLimits {
  return { ...DEFAULT_REQUEST_LIMITS, maxHorizon, ...overrides };
}
