/**
 * The histogram behind the Kubernetes Vertical Pod Autoscaler's CPU recommendation
 * (autoscaler/vertical-pod-autoscaler/pkg/recommender/util: exponential buckets, decaying
 * weights), rebuilt from its documented behaviour:
 *
 *  - buckets grow geometrically: bucket i starts at first·(ratioⁱ − 1)/(ratio − 1), so the
 *    relative error of a percentile is bounded by the ratio (VPA: first 0.01 cores, ratio 1.05);
 *  - a sample at time t weighs 2^((t − reference)/halfLife) (VPA: half-life 24 h), i.e. old samples
 *    fade exponentially. Weights grow instead of old ones shrinking, so adding is O(1); when the
 *    exponent gets large the reference moves forward and every bucket is rescaled once;
 *  - a percentile is the END of the bucket where the cumulative weight reaches p (VPA rounds up:
 *    a recommendation never sits below the samples in its bucket).
 */
export interface DecayingHistogramOptions {
  /** Width of bucket 0, in the metric's units. */
  readonly firstBucket: number;
  /** Each bucket is this much wider than the previous one (> 1). */
  readonly ratio: number;
  /** Values at or above this land in the last bucket. */
  readonly maxValue: number;
  /** Half-life of a sample's weight, in the same time unit as `add`'s time. */
  readonly halfLife: number;
}

/** VPA moves its reference time when the decay exponent passes 100 (2^100 stays well inside float64). */
const MAX_DECAY_EXPONENT = 100;

export class DecayingHistogram {
  readonly options: DecayingHistogramOptions;
  readonly #weights: Float64Array;
  readonly #logRatio: number;
  #total = 0;
  #reference = 0;
  #referenceSet = false;

  constructor(options: DecayingHistogramOptions) {
    const { firstBucket, ratio, maxValue, halfLife } = options;
    if (!(firstBucket > 0 && Number.isFinite(firstBucket)))
      throw new RangeError(`firstBucket must be a finite number > 0, got ${firstBucket}`);
    if (!(ratio > 1 && Number.isFinite(ratio))) throw new RangeError(`ratio must be a finite number > 1, got ${ratio}`);
    if (!(maxValue > firstBucket && Number.isFinite(maxValue)))
      throw new RangeError(`maxValue must be finite and above firstBucket, got ${maxValue}`);
    if (!(halfLife > 0)) throw new RangeError(`halfLife must be > 0, got ${halfLife}`);
    this.options = options;
    this.#logRatio = Math.log(ratio);
    const buckets = Math.ceil(Math.log((maxValue * (ratio - 1)) / firstBucket + 1) / this.#logRatio) + 1;
    this.#weights = new Float64Array(buckets);
  }

  get buckets(): number {
    return this.#weights.length;
  }

  get empty(): boolean {
    return this.#total === 0;
  }

  bucketStart(bucket: number): number {
    const { firstBucket, ratio } = this.options;
    return (firstBucket * (Math.pow(ratio, bucket) - 1)) / (ratio - 1);
  }

  bucketOf(value: number): number {
    const { firstBucket, ratio } = this.options;
    if (value < firstBucket) return 0;
    const b = Math.floor(Math.log((value * (ratio - 1)) / firstBucket + 1) / this.#logRatio);
    return Math.min(b, this.#weights.length - 1);
  }

  /** Add a sample observed at `time` (non-decreasing across calls is not required, only sensible). */
  add(value: number, time: number, weight = 1): void {
    if (!Number.isFinite(value) || !(weight > 0)) return;
    if (!this.#referenceSet) {
      this.#reference = time;
      this.#referenceSet = true;
    }
    let exponent = (time - this.#reference) / this.options.halfLife;
    if (exponent > MAX_DECAY_EXPONENT) {
      this.#shiftReference(time);
      exponent = 0;
    }
    const w = weight * Math.pow(2, exponent);
    this.#weights[this.bucketOf(Math.max(0, value))] += w;
    this.#total += w;
  }

  /** The p-quantile (0 < p ≤ 1) of the weighted samples: the end of its bucket; 0 when empty. */
  percentile(p: number): number {
    if (this.#total === 0) return 0;
    // Summing bucket by bucket rounds differently from the running total; the slack keeps p = 1
    // from running past the last non-empty bucket.
    const threshold = p * this.#total * (1 - 1e-12);
    const weights = this.#weights;
    let sum = 0;
    let bucket = 0;
    for (; bucket < weights.length; bucket++) {
      sum += weights[bucket];
      if (sum >= threshold && weights[bucket] > 0) break;
    }
    if (bucket >= weights.length - 1) return this.bucketStart(weights.length - 1);
    return this.bucketStart(bucket + 1);
  }

  #shiftReference(time: number): void {
    const factor = Math.pow(2, -(time - this.#reference) / this.options.halfLife);
    const weights = this.#weights;
    this.#total = 0;
    for (let i = 0; i < weights.length; i++) {
      weights[i] *= factor;
      this.#total += weights[i];
    }
    this.#reference = time;
  }
}
