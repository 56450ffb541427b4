import type { ErrorLocation, Fail } from './load-errors.js';

/**
 * What to do with a cell that holds no usable number: an empty cell, or a NaN / Inf literal
 * (`NaN`, `nan`, `+Inf`, `-Infinity` …, as written by pandas, numpy and Prometheus).
 * - `'nan'` (default): the point is missing, stored as NaN. The data model has exactly one marker
 *   for "no usable value", every downstream consumer already handles it, and PromQL produces NaN
 *   and ±Inf routinely (a rate over zero samples, a division by zero) — refusing a whole response
 *   for one such point would make real exports unloadable.
 * - `'error'`: refuse the file, for callers who want to know that their exporter emitted them.
 * A cell that is not a number at all (`abc`, `1,5`, `0x10`) is always an error.
 */
export type NonFinitePolicy = 'nan' | 'error';

// Plain decimal or scientific notation. Number() alone would accept '', ' ', '0x10' and '1_0'.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE_LITERAL = /^[+-]?(?:nan|inf|infinity)$/i;

/** Parses one numeric cell under `policy`; NaN means "missing". */
export function parseNumericCell(raw: string, policy: NonFinitePolicy, at: ErrorLocation, fail: Fail): number {
  const text = raw.trim();
  if (DECIMAL.test(text)) {
    const value = Number(text);
    // '1e999' matches the grammar but overflows to Infinity: the same policy as an Inf literal.
    if (Number.isFinite(value)) return value;
  } else if (text !== '' && !NON_FINITE_LITERAL.test(text)) {
    fail(at, 'not-a-number', `value "${raw}" is not a number`);
  }
  if (policy === 'error') {
    const what = text === '' ? 'an empty value' : `value "${raw}" is not a finite number`;
    fail(at, 'non-finite', `${what} (nonFinite: 'error'; use 'nan' to load it as a missing point)`);
  }
  return Number.NaN;
}
