/**
 * Guards shared by every metric. Each message names the function and the argument so a caller
 * can fix the call without reading this package.
 */
import { LossInputError } from './errors.js';

/** α, a quantile level or a tier: a probability strictly inside (0, 1); NaN fails too. */
export function assertOpenUnit(value: number, where: string, what: string): void {
  if (!(value > 0 && value < 1)) {
    throw new LossInputError(`${where}: ${what} must be in the open interval (0, 1), got ${value}`);
  }
}

/** An empty horizon is a caller bug, not a data gap (all-NaN actuals are the data gap). */
export function assertNonEmpty(a: ArrayLike<number>, where: string, name: string): void {
  if (a.length === 0) {
    throw new LossInputError(`${where}: ${name} is empty; nothing to score`);
  }
}

/** Two aligned, non-empty series. */
export function assertPaired(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  where: string,
  nameA: string,
  nameB: string,
): void {
  if (a.length !== b.length) {
    throw new LossInputError(
      `${where}: ${nameA} has ${a.length} points but ${nameB} has ${b.length}; they must be aligned`,
    );
  }
  assertNonEmpty(a, where, nameA);
}

export function assertSeasonalPeriod(m: number, where: string): void {
  if (!Number.isInteger(m) || m < 1) {
    throw new LossInputError(`${where}: seasonal period m must be a positive integer, got ${m}`);
  }
}

/** A model's quantile levels: non-empty, inside (0, 1), strictly increasing. */
export function assertQuantileLevels(levels: ArrayLike<number>, where: string): void {
  if (levels.length === 0) {
    throw new LossInputError(`${where}: levels is empty; at least one quantile level is needed`);
  }
  for (let i = 0; i < levels.length; i++) {
    assertOpenUnit(levels[i], where, `levels[${i}]`);
    if (i > 0 && !(levels[i] > levels[i - 1])) {
      throw new LossInputError(
        `${where}: levels must be strictly increasing, but levels[${i - 1}] = ${levels[i - 1]} ` +
          `and levels[${i}] = ${levels[i]}`,
      );
    }
  }
}

/** A [horizon × nLevels] row-major quantile matrix. */
export function assertQuantileMatrix(matrix: ArrayLike<number>, horizon: number, nLevels: number, where: string): void {
  if (matrix.length !== horizon * nLevels) {
    throw new LossInputError(
      `${where}: quantile matrix has ${matrix.length} values but horizon × nLevels = ` +
        `${horizon} × ${nLevels} = ${horizon * nLevels} (row-major [horizon × nLevels] expected)`,
    );
  }
}
