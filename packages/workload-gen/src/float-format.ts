/**
 * Shortest decimal text that reads back to the same float32 (so CSV round-trips exactly
 * without printing the 17 digits of the widened double). NaN (missing) prints as empty.
 */
export function formatFloat32(v: number): string {
  if (v !== v) return '';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  for (let p = 6; p < 9; p++) {
    const text = v.toPrecision(p);
    if (Math.fround(Number(text)) === v) return String(Number(text));
  }
  return String(Number(v.toPrecision(9))); // 9 significant digits always round-trip a float32
}
