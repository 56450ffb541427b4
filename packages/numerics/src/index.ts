/**
 * @tsfm/numerics: the numeric basics every package shares, each in one place: seeded random
 * number generators (sfc32 for long streams, mulberry32 for small replayable choices, FNV-1a to
 * derive seeds from names), the quantile helpers (normal quantile, sorted-sample quantile,
 * order statistics by selection, non-crossing repair) and the time constants. No dependencies;
 * nothing here may change an existing seed's output (test/pinned-outputs.test.ts).
 */
export { Sfc32, mix32, hashWords, splitmix32State } from './random/sfc32.js';
export { Mulberry32, mulberry32, scrambleSeed } from './random/mulberry32.js';
export { fnv1a32 } from './random/fnv1a.js';
export { normalQuantile, sortedQuantile, fixCrossing } from './quantiles.js';
export { sampleQuantiles, orderStatistic } from './order-statistics.js';
export { MINUTE_MS, HOUR_MS, DAY_MS } from './time.js';
