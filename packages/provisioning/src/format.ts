/** Number formatting shared by reasons and the markdown renderers. */

/** Four significant digits: enough to check a reason against the numbers, short enough to read. */
export function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : String(x);
}

/** A surge factor as "2.50×". */
export function fmtFactor(x: number): string {
  return `${x.toFixed(2)}×`;
}
