/**
 * The one error type that crosses the harness API. A request either returns a forecast or
 * rejects with a HarnessError whose `code` says who has to act:
 *  - `bad-request`: the caller sent something the harness cannot serve (schema, unequal metric
 *    lengths, a horizon no config of this model can reach) — fix the request;
 *  - `insufficient-data`: the request is well formed but a metric has no observation the
 *    forecaster could use — drop the metric (request.metrics) or wait for data;
 *  - `model-failure`: the forecaster call failed or returned a malformed result, or no final
 *    forecast passed the final-forecast guard and the default's is non-finite (final-guard.ts) —
 *    an operator problem (model files, onnxruntime), never the tenant's;
 *  - `internal`: anything else — a harness bug; please report it with the request.
 */
export type HarnessErrorCode = 'bad-request' | 'insufficient-data' | 'model-failure' | 'internal';

export class HarnessError extends Error {
  override readonly name = 'HarnessError';
  readonly code: HarnessErrorCode;
  /** Machine-readable specifics (field paths, metric names); safe to log. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: HarnessErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.code = code;
    this.details = details;
  }
}

/** Anything thrown inside a stage, as a HarnessError (HarnessErrors pass through unchanged). */
export function asHarnessError(error: unknown, code: HarnessErrorCode, context: string): HarnessError {
  if (error instanceof HarnessError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new HarnessError(code, `${context}: ${message}`, {}, { cause: error });
}
