/**
 * The fingerprint the pinned-output tests compare (issue 14 §3): the hashes in those tests were
 * computed with exactly this function before code moved between packages, so it must never change.
 */
import { createHash } from 'node:crypto';

/** First 16 hex digits of the sha256 of the values as float64 bytes. */
export function pinnedHash(values: ArrayLike<number>): string {
  return createHash('sha256')
    .update(Buffer.from(Float64Array.from(values).buffer))
    .digest('hex')
    .slice(0, 16);
}

/** First 16 hex digits of the sha256 of the text's UTF-8 bytes (a JSON summary of many hashes). */
export function pinnedTextHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** `n` values of `f(i)` for i = 0 … n−1, in order. */
export function draw<T>(n: number, f: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => f(i));
}
