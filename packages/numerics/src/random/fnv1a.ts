/**
 * 32-bit FNV-1a over the UTF-16 code units of `text`, with `seed` folded into the offset basis:
 * a stable small hash to derive per-name seeds (the offline planner's context, a test's ids).
 * fnv1a32(text) with the default seed 0 is plain FNV-1a.
 */
export function fnv1a32(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
