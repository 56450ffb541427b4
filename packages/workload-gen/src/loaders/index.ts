// Real-trace loaders (design.md §1): every loader turns a file into the shared data model and
// fails with a LoadError that names the file, the line or field, and the reason.
export { LoadError, type ErrorLocation, type LoadErrorKind } from './load-errors.js';
export type { LoadedSeries, LoadedTenant, TimestampedLoadOptions } from './loaded-types.js';
export type { NonFinitePolicy } from './numeric-cells.js';
export type { TimestampFormat } from './timestamps.js';
export { FILL_POLICIES, fillGaps, type FillPolicy } from './fill-gaps.js';
export {
  MAX_GRID_POINTS,
  REGULARISE_DEFAULTS,
  inferModalStep,
  regularise,
  type DuplicatePolicy,
  type RegulariseInput,
  type RegulariseOptions,
  type RegulariseReport,
  type Regularised,
  type StepEvidence,
} from './regularise.js';
export { loadTimestampValueCsv, parseTimestampValueCsv, type TimestampValueCsvOptions } from './csv-timestamp-value.js';
export {
  M4_FREQUENCIES,
  frequencyFromFileName,
  joinM4TrainTest,
  loadM4TrainTest,
  loadM4Wide,
  parseM4Wide,
  type M4Frequency,
  type M4Options,
  type M4Series,
  type M4TrainTest,
} from './m4-wide.js';
export {
  loadPrometheusRange,
  parsePrometheusRange,
  type PrometheusRangeOptions,
  type PrometheusSeries,
} from './prometheus-range.js';
export { loadWideCsv, parseWideCsv, type WideCsvOptions } from './wide-csv.js';
