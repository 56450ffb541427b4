/**
 * Standard scaler fitted on TENANT feature vectors (one row per tenant or per tenant window),
 * never on archetype centroids: eight centroids would give each feature a spread that says
 * nothing about how much tenants of one archetype vary, and cosine similarity in that space
 * would over-weight features that separate centroids but are noisy per tenant.
 *
 * NaN (a feature unavailable at this history length, see features.ts) is ignored when fitting
 * and transformed to 0 — the fitted mean — so it pulls a query towards no archetype. A feature
 * with zero spread (or never observed) gets scale 1 and is inert after centring.
 */
import { z } from 'zod';

export const scalerSchema = z
  .object({
    mean: z.array(z.number()),
    scale: z.array(z.number().positive()),
    weight: z.array(z.number().nonnegative()),
  })
  .strict()
  .refine((s) => s.mean.length === s.scale.length && s.mean.length === s.weight.length, {
    message: 'mean, scale and weight differ in length',
    path: ['scale'],
  });

export type ScalerJson = z.infer<typeof scalerSchema>;

export interface ScalerFitOptions {
  /**
   * One label per row (the tenant's archetype). When given, each standardised feature is also
   * multiplied by a Fisher weight √(between-archetype variance / within-archetype variance), so
   * that features that separate archetypes count for more in the cosine than features that are
   * mostly per-tenant noise. Without labels every weight is 1.
   */
  readonly labels?: readonly string[];
}

export class ArchetypeScaler {
  private constructor(
    readonly mean: Float64Array,
    readonly scale: Float64Array,
    readonly weight: Float64Array,
  ) {}

  get dim(): number {
    return this.mean.length;
  }

  /** Fit on row-major `rows` (rowCount × dim), feature by feature over the finite values. */
  static fit(rows: Float32Array, dim: number, options: ScalerFitOptions = {}): ArchetypeScaler {
    if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`dim must be a positive integer, got ${dim}`);
    if (rows.length % dim !== 0) throw new RangeError(`${rows.length} values is not a multiple of dim ${dim}`);
    const count = rows.length / dim;
    const mean = new Float64Array(dim);
    const scale = new Float64Array(dim);
    for (let j = 0; j < dim; j++) {
      let n = 0;
      let sum = 0;
      for (let i = 0; i < count; i++) {
        const v = rows[i * dim + j];
        if (Number.isFinite(v)) {
          sum += v;
          n++;
        }
      }
      const m = n > 0 ? sum / n : 0;
      let ss = 0;
      for (let i = 0; i < count; i++) {
        const v = rows[i * dim + j];
        if (Number.isFinite(v)) ss += (v - m) * (v - m);
      }
      const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
      mean[j] = m;
      // Relative floor: a feature constant up to float32 rounding must not be blown up to ±1e6.
      scale[j] = sd > 1e-9 * Math.max(1, Math.abs(m)) ? sd : 1;
    }
    const weight = options.labels
      ? fisherWeights(rows, dim, mean, scale, options.labels)
      : new Float64Array(dim).fill(1);
    return new ArchetypeScaler(mean, scale, weight);
  }

  static fromJSON(json: ScalerJson): ArchetypeScaler {
    const parsed = scalerSchema.parse(json);
    return new ArchetypeScaler(
      Float64Array.from(parsed.mean),
      Float64Array.from(parsed.scale),
      Float64Array.from(parsed.weight),
    );
  }

  toJSON(): ScalerJson {
    return { mean: Array.from(this.mean), scale: Array.from(this.scale), weight: Array.from(this.weight) };
  }

  /** weight·(x − mean)/scale, row by row; NaN and ±Infinity become 0 (the mean). */
  transform(rows: Float32Array, out: Float32Array = new Float32Array(rows.length)): Float32Array {
    const dim = this.dim;
    if (rows.length % dim !== 0) throw new RangeError(`${rows.length} values is not a multiple of dim ${dim}`);
    if (out.length !== rows.length) throw new RangeError(`out holds ${out.length} values, input ${rows.length}`);
    for (let i = 0; i < rows.length; i++) {
      const j = i % dim;
      const v = rows[i];
      out[i] = Number.isFinite(v) ? (this.weight[j] * (v - this.mean[j])) / this.scale[j] : 0;
    }
    return out;
  }

  /** Back to feature units; features of weight 0 come back as their mean. */
  inverseTransform(scaled: Float32Array, out: Float32Array = new Float32Array(scaled.length)): Float32Array {
    const dim = this.dim;
    if (scaled.length % dim !== 0) throw new RangeError(`${scaled.length} values is not a multiple of dim ${dim}`);
    for (let i = 0; i < scaled.length; i++) {
      const j = i % dim;
      out[i] = this.mean[j] + (this.weight[j] > 0 ? (scaled[i] * this.scale[j]) / this.weight[j] : 0);
    }
    return out;
  }
}

/**
 * √(between/within) per standardised feature, with imputed (non-finite) values counted as the
 * mean, exactly as transform() will see them. A feature with no within-archetype spread but some
 * between gets the largest weight seen (not ∞); one with neither gets 0.
 */
function fisherWeights(
  rows: Float32Array,
  dim: number,
  mean: Float64Array,
  scale: Float64Array,
  labels: readonly string[],
): Float64Array {
  const count = rows.length / dim;
  if (labels.length !== count) throw new RangeError(`${labels.length} labels for ${count} rows`);
  const classOf = new Map<string, number>();
  const rowClass = new Int32Array(count);
  labels.forEach((l, i) => {
    let c = classOf.get(l);
    if (c === undefined) {
      c = classOf.size;
      classOf.set(l, c);
    }
    rowClass[i] = c;
  });
  const classes = classOf.size;
  const classCount = new Float64Array(classes);
  for (let i = 0; i < count; i++) classCount[rowClass[i]]++;
  const weight = new Float64Array(dim);
  const classSum = new Float64Array(classes);
  const ratio = new Float64Array(dim);
  for (let j = 0; j < dim; j++) {
    classSum.fill(0);
    let total = 0;
    const z = (i: number) => {
      const v = rows[i * dim + j];
      return Number.isFinite(v) ? (v - mean[j]) / scale[j] : 0;
    };
    for (let i = 0; i < count; i++) {
      const v = z(i);
      classSum[rowClass[i]] += v;
      total += v;
    }
    const grand = total / count;
    let between = 0;
    for (let c = 0; c < classes; c++) between += classCount[c] * (classSum[c] / classCount[c] - grand) ** 2;
    let within = 0;
    for (let i = 0; i < count; i++) within += (z(i) - classSum[rowClass[i]] / classCount[rowClass[i]]) ** 2;
    ratio[j] = between <= 1e-12 * count ? 0 : within <= 1e-12 * count ? Infinity : between / within;
  }
  let largest = 0;
  for (let j = 0; j < dim; j++) if (Number.isFinite(ratio[j]) && ratio[j] > largest) largest = ratio[j];
  for (let j = 0; j < dim; j++) weight[j] = Math.sqrt(Number.isFinite(ratio[j]) ? ratio[j] : largest);
  return weight;
}
