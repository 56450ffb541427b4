import type { Series, Tenant } from '../series.js';
import type { NonFinitePolicy } from './numeric-cells.js';
import type { RegulariseOptions, RegulariseReport } from './regularise.js';
import type { TimestampFormat } from './timestamps.js';

/** A series loaded from a file: where it came from and what regularisation did to it. */
export interface LoadedSeries extends Series {
  readonly source: string;
  readonly report: RegulariseReport;
}

/** A tenant loaded from a wide CSV; the report covers all its metrics. */
export interface LoadedTenant extends Tenant {
  readonly source: string;
  readonly report: RegulariseReport;
}

/** Options shared by the loaders that read timestamped text. */
export interface TimestampedLoadOptions extends RegulariseOptions {
  /** Name used in error messages; the path for the `load*` functions, `<input>` otherwise. */
  readonly source?: string;
  readonly timestampFormat?: TimestampFormat | 'auto';
  /** NaN / Inf literals and empty cells; default `'nan'` (see {@link NonFinitePolicy}). */
  readonly nonFinite?: NonFinitePolicy;
}
