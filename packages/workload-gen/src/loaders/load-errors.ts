/**
 * The one error every loader throws for a bad input file.
 *
 * A researcher pointed at a broken trace needs to know *where* to look, so every error carries the
 * file, a 1-based line (CSV) or a field path (JSON, options), and a reason written for a person.
 * `kind` is there so code (and tests) can react to a class of problem without parsing messages.
 */
export type LoadErrorKind =
  | 'unreadable' // the file could not be read at all
  | 'empty-file'
  | 'no-header' // the first line looks like data
  | 'bad-header' // duplicate or empty column names
  | 'missing-column' // a requested column is not in the header
  | 'no-data' // a header and nothing after it
  | 'too-short' // too few rows to infer a step
  | 'bad-csv' // broken quoting
  | 'column-count' // a row with more (or fewer) cells than the header allows
  | 'not-a-number'
  | 'non-finite' // NaN / Inf literal under `nonFinite: 'error'`
  | 'bad-timestamp'
  | 'unsorted'
  | 'duplicate'
  | 'mixed-steps' // no step is common enough to regularise to
  | 'huge-gap'
  | 'grid-too-large'
  | 'missing-step' // no timestamps and no step given
  | 'bad-json'
  | 'bad-shape' // JSON that does not match the expected schema
  | 'query-failed' // a Prometheus response with status "error"
  | 'wrong-result-type' // a Prometheus response that is not a range (matrix) result
  | 'mismatched-ids'; // M4 train and test files that do not describe the same series

/** Where in a file a problem is: a 1-based line, a field path, or both. */
export interface ErrorLocation {
  readonly line?: number;
  readonly field?: string;
}

export interface LoadErrorInit extends ErrorLocation {
  readonly file: string;
  readonly kind: LoadErrorKind;
  readonly reason: string;
}

export class LoadError extends Error {
  override readonly name = 'LoadError';
  readonly file: string;
  readonly line: number | undefined;
  readonly field: string | undefined;
  readonly kind: LoadErrorKind;
  readonly reason: string;

  constructor(init: LoadErrorInit) {
    super(formatLoadError(init));
    this.file = init.file;
    this.line = init.line;
    this.field = init.field;
    this.kind = init.kind;
    this.reason = init.reason;
  }
}

/** `file:line: reason`, `file: field: reason` or `file:line: field: reason` — the compiler-style
 * shape editors and terminals already know how to jump to. */
function formatLoadError({ file, line, field, reason }: LoadErrorInit): string {
  const where = line === undefined ? file : `${file}:${line}`;
  return field === undefined ? `${where}: ${reason}` : `${where}: ${field}: ${reason}`;
}

/** A thrower bound to one file, so parsing code reads `fail({line}, 'not-a-number', '…')`. */
export type Fail = (at: ErrorLocation, kind: LoadErrorKind, reason: string) => never;

export function failIn(file: string): Fail {
  return (at, kind, reason) => {
    throw new LoadError({ file, kind, reason, ...at });
  };
}
