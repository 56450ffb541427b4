/**
 * Typed errors. Two kinds, because they call for different fixes: a ModelContractError means the
 * model files are wrong (re-export or fix the manifest); a ForecastRequestError means one request
 * row cannot be served by this model (shorten the horizon, pick another config).
 */

/** The ONNX file or its manifest breaks the contract in docs/models.md. */
export class ModelContractError extends Error {
  override readonly name = 'ModelContractError';
  /** The file at fault (manifest or ONNX path). */
  readonly file: string;
  /** The manifest field or model property at fault, e.g. `output.shape[2]` or `sha256`. */
  readonly field: string;

  constructor(file: string, field: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${field}: ${message}`, options);
    this.file = file;
    this.field = field;
  }
}

/** A forecast row (or config) that this model cannot serve. */
export class ForecastRequestError extends Error {
  override readonly name = 'ForecastRequestError';
  /** Index of the offending row in the `forecastBatch` input, or -1 when not row-specific. */
  readonly row: number;

  constructor(row: number, message: string) {
    super(row >= 0 ? `row ${row}: ${message}` : message);
    this.row = row;
  }
}
