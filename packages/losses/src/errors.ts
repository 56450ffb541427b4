/**
 * Thrown when a loss or metric is called with inputs it cannot score: mismatched lengths, an
 * empty horizon, α outside (0, 1), unsorted quantile levels. These are caller bugs, so they fail
 * loudly; missing data (NaN actuals) is not an error and is handled by each metric instead.
 */
export class LossInputError extends Error {
  override readonly name = 'LossInputError';
}
