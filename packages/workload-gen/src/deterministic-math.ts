/**
 * log, exp, cos and sin built from + − × ÷ only.
 *
 * Why: ECMAScript leaves Math.log/exp/cos/sin "implementation-approximated", so two engines (or
 * two builds of one) may differ in the last bit, and a generator that feeds those bits back into
 * later draws would then emit different bytes for the same seed. The four basic operations and
 * Math.sqrt/round/floor are exactly specified (IEEE 754 binary64, round-to-nearest, no fused
 * multiply-add in JS), so everything below is bit-identical on every conforming engine.
 * Accuracy is a few ulp, far below anything a workload model can notice.
 */

const LN2_HI = 6.9314718036912381649e-1; // Cody–Waite split of ln 2: LN2_HI has trailing zeros,
const LN2_LO = 1.90821492927058770002e-10; // so k·LN2_HI is exact for |k| < 2^20.
const INV_LN2 = 1.442695040888963387;
const SQRT2 = 1.4142135623730951;

// One 8-byte scratch word viewed as a double and as two 32-bit halves, to read and write the
// binary exponent without Math.log2 (itself implementation-approximated).
const scratchF64 = new Float64Array(1);
const scratchU32 = new Uint32Array(scratchF64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian → word 1

/** 2^k for an integer k in [−1022, 1023], built from the exponent bits (exact). */
function pow2(k: number): number {
  scratchU32[HI] = (k + 1023) << 20;
  scratchU32[1 - HI] = 0;
  return scratchF64[0];
}

/** Natural logarithm for x > 0 (NaN for x < 0 or NaN, −Infinity for 0). */
export function detLog(x: number): number {
  if (!(x > 0)) return x === 0 ? -Infinity : NaN;
  if (x === Infinity) return Infinity;
  let e = 0;
  if (x < 2.2250738585072014e-308) {
    x *= 18446744073709551616; // 2^64: lift subnormals into the normal range
    e = -64;
  }
  scratchF64[0] = x;
  const hi = scratchU32[HI];
  e += ((hi >>> 20) & 0x7ff) - 1023;
  scratchU32[HI] = (hi & 0x000fffff) | 0x3ff00000; // mantissa m ∈ [1, 2)
  let m = scratchF64[0];
  if (m > SQRT2) {
    m *= 0.5;
    e += 1;
  }
  // log m = 2·atanh(s), s = (m−1)/(m+1), |s| ≤ 0.1716: the odd series converges fast.
  const s = (m - 1) / (m + 1);
  const z = s * s;
  const series =
    1 +
    z *
      (1 / 3 +
        z *
          (1 / 5 +
            z *
              (1 / 7 +
                z *
                  (1 / 9 +
                    z *
                      (1 / 11 + z * (1 / 13 + z * (1 / 15 + z * (1 / 17 + z * (1 / 19 + z * (1 / 21 + z / 23))))))))));
  return e * LN2_HI + (e * LN2_LO + 2 * s * series);
}

/** e^x; overflows to Infinity above ~709.78 and underflows to 0 below ~−745. */
export function detExp(x: number): number {
  if (x !== x) return NaN;
  if (x > 709.782712893384) return Infinity;
  if (x < -745.1332191019412) return 0;
  const k = Math.round(x * INV_LN2);
  const r = x - k * LN2_HI - k * LN2_LO; // |r| ≤ ln2/2
  // Taylor series of e^r to degree 16 (r^17/17! < 3e-19 for |r| ≤ 0.35).
  let p = 1 / 20922789888000; // 1/16!
  for (let n = 15; n >= 0; n--) p = p * r + INV_FACTORIAL[n];
  if (k < -1021) return p * pow2(k + 64) * 5.421010862427522e-20; // 2^−64, avoid subnormal 2^k
  if (k > 1023) return p * pow2(k - 1) * 2;
  return p * pow2(k);
}

const INV_FACTORIAL: readonly number[] = (() => {
  const out: number[] = [];
  let f = 1;
  for (let n = 0; n <= 16; n++) {
    if (n > 0) f *= n; // n! is exact in binary64 up to 22!
    out.push(1 / f);
  }
  return out;
})();

// π/2 split into three parts (Cody–Waite), enough for |x| up to ~1e6 with tiny error.
const PIO2_1 = 1.57079632673412561417;
const PIO2_2 = 6.07710050650619224932e-11;
const PIO2_3 = 2.02226624879595063154e-21;
const INV_PIO2 = 6.36619772367581382433e-1;

function sinKernel(r: number): number {
  const z = r * r; // |r| ≤ π/4: degree-17 odd Taylor polynomial, error < 1e-17
  return (
    r *
    (1 +
      z *
        (-1 / 6 +
          z *
            (1 / 120 +
              z *
                (-1 / 5040 +
                  z *
                    (1 / 362880 +
                      z * (-1 / 39916800 + z * (1 / 6227020800 + z * (-1 / 1307674368000 + z / 355687428096000))))))))
  );
}

function cosKernel(r: number): number {
  const z = r * r;
  return (
    1 +
    z *
      (-1 / 2 +
        z *
          (1 / 24 +
            z *
              (-1 / 720 +
                z *
                  (1 / 40320 +
                    z * (-1 / 3628800 + z * (1 / 479001600 + z * (-1 / 87178291200 + z / 20922789888000)))))))
  );
}

// Result of the last reduction, in module scope so detCos/detSin allocate nothing per call.
let reducedQuadrant = 0;
let reducedR = 0;

/** Quadrant (0–3) and remainder in [−π/4, π/4] of x, left in reducedQuadrant / reducedR. */
function reduce(x: number): void {
  const k = Math.round(x * INV_PIO2);
  reducedR = x - k * PIO2_1 - k * PIO2_2 - k * PIO2_3;
  reducedQuadrant = ((k % 4) + 4) % 4;
}

export function detCos(x: number): number {
  reduce(x);
  const r = reducedR;
  switch (reducedQuadrant) {
    case 0:
      return cosKernel(r);
    case 1:
      return -sinKernel(r);
    case 2:
      return -cosKernel(r);
    default:
      return sinKernel(r);
  }
}

export function detSin(x: number): number {
  reduce(x);
  const r = reducedR;
  switch (reducedQuadrant) {
    case 0:
      return sinKernel(r);
    case 1:
      return cosKernel(r);
    case 2:
      return -sinKernel(r);
    default:
      return -cosKernel(r);
  }
}

/** x^y for x > 0: exact repeated squaring for integer y, else exp(y·log x). */
export function detPow(x: number, y: number): number {
  if (Number.isInteger(y) && Math.abs(y) <= 1024) {
    let result = 1;
    let base = x;
    let n = Math.abs(y);
    while (n > 0) {
      if (n & 1) result *= base;
      base *= base;
      n >>>= 1;
    }
    return y < 0 ? 1 / result : result;
  }
  return detExp(y * detLog(x));
}
