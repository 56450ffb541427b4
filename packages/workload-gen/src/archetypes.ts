/**
 * The eight WordPress-hosting archetypes, as data (archetypes.md). Every range is a uniform draw
 * per tenant; a range with equal ends is a fixed value. Units: cpu in cores-fraction (0–2),
 * mem as a fraction (0–1), net and disk in the table's units (bytes/s, IOPS).
 *
 * Interpretation of the study table (documented here because the table leaves it open):
 * - diurnal amp, weekly amp, noise σ and spike magnitudes are RELATIVE to the tenant's base
 *   level of each metric, so one number serves cpu (0.05) and net (500) alike;
 * - the diurnal multiplier is 1 + amp·(1 + cos(2π(h − peak)/24))/2: base at the trough,
 *   base·(1 + amp) at the peak hour;
 * - the weekly cycle is a weekend dip: × (1 − weekly amp) on local Saturday and Sunday;
 * - noise σ is the stationary standard deviation of the AR(1) process (per-minute φ);
 * - ρ is the correlation of the cpu and net noise terms (a shared latent AR process).
 */
import type { MetricName } from './series.js';

export type Range = readonly [lo: number, hi: number];

export const ARCHETYPE_NAMES = [
  'low-traffic-blog',
  'ecommerce-retail',
  'news-publisher',
  'b2b-saas',
  'wp-cron-heavy',
  'cache-driven',
  'compute-heavy',
  'idle-ish',
] as const;
export type ArchetypeName = (typeof ARCHETYPE_NAMES)[number];

export type DailyShape =
  | { readonly kind: 'flat' }
  | { readonly kind: 'cosine'; readonly amp: Range; readonly peakHour: Range }
  /** Multiplier `inHours` from startHour to endHour local time on weekdays, `offHours` otherwise. */
  | {
      readonly kind: 'business-hours';
      readonly startHour: number;
      readonly endHour: number;
      readonly inHours: number;
      readonly offHours: number;
    };

export interface ArchetypeSpec {
  readonly name: ArchetypeName;
  /** Fraction of the fleet. */
  readonly share: number;
  readonly daily: DailyShape;
  readonly weeklyAmp: Range;
  readonly noiseSigma: Range;
  readonly arPhi: Range;
  readonly spikesPerDay: Range;
  readonly spikeMagMean: Range;
  /** e-folding time of a spike; null where the archetype has no spikes. */
  readonly spikeDecayMinutes: number | null;
  readonly base: Readonly<Record<MetricName, Range>>;
  readonly cpuNetRho: Range;
  /**
   * How much of a spike each metric receives, in units of its own base (not in the study
   * table; our reading of its notes): cache-driven spikes are cache-miss cascades that hit cpu
   * twice as hard; news bursts hit the network 3× harder than cpu (≈10× baseline net traffic);
   * wp-cron and idle-ish spikes are internal jobs that move no network traffic (their ρ is 0).
   */
  readonly spikeWeight: Readonly<Record<MetricName, number>>;
}

/**
 * How strongly each metric follows the shared demand multiplier (diurnal × weekly × business
 * hours): traffic moves cpu and network one to one, disk partly (cached pages), memory little
 * (PHP workers and the database buffer pool stay resident). Our choice; same for every archetype.
 */
export const ACTIVITY_COUPLING: Readonly<Record<MetricName, number>> = { cpu: 1, net: 1, disk: 0.6, mem: 0.3 };

const TRAFFIC_SPIKE = { cpu: 1, mem: 0.2, net: 1, disk: 0.5 } as const;
const JOB_SPIKE = { cpu: 1, mem: 0.2, net: 0, disk: 1 } as const;
const NO_SPIKE = { cpu: 0, mem: 0, net: 0, disk: 0 } as const;

export const ARCHETYPES: Readonly<Record<ArchetypeName, ArchetypeSpec>> = {
  'low-traffic-blog': {
    name: 'low-traffic-blog',
    share: 0.25,
    daily: { kind: 'cosine', amp: [0.05, 0.15], peakHour: [18, 18] },
    weeklyAmp: [0, 0.05],
    noiseSigma: [0.01, 0.03],
    arPhi: [0.5, 0.8],
    spikesPerDay: [0.5, 2],
    spikeMagMean: [0.1, 0.3],
    spikeDecayMinutes: 8,
    base: { cpu: [0.02, 0.08], mem: [0.05, 0.15], net: [10, 50], disk: [1, 10] },
    cpuNetRho: [0.2, 0.2],
    spikeWeight: TRAFFIC_SPIKE,
  },
  'ecommerce-retail': {
    name: 'ecommerce-retail',
    share: 0.12,
    daily: { kind: 'cosine', amp: [0.3, 0.6], peakHour: [13, 16] },
    weeklyAmp: [0.15, 0.4],
    noiseSigma: [0.02, 0.06],
    arPhi: [0.6, 0.9],
    spikesPerDay: [0.1, 0.5],
    spikeMagMean: [0.5, 1.5],
    spikeDecayMinutes: 30,
    base: { cpu: [0.15, 0.35], mem: [0.25, 0.5], net: [200, 800], disk: [20, 80] },
    cpuNetRho: [0.5, 0.5],
    spikeWeight: TRAFFIC_SPIKE,
  },
  'news-publisher': {
    name: 'news-publisher',
    share: 0.08,
    daily: { kind: 'cosine', amp: [0.25, 0.5], peakHour: [8, 20] },
    weeklyAmp: [0.05, 0.15],
    noiseSigma: [0.02, 0.05],
    arPhi: [0.5, 0.8],
    spikesPerDay: [0.05, 0.2],
    spikeMagMean: [1.5, 4],
    spikeDecayMinutes: 60,
    base: { cpu: [0.1, 0.25], mem: [0.15, 0.35], net: [100, 500], disk: [15, 60] },
    cpuNetRho: [0.6, 0.6],
    spikeWeight: { cpu: 1, mem: 0.2, net: 3, disk: 0.5 },
  },
  'b2b-saas': {
    name: 'b2b-saas',
    share: 0.15,
    daily: { kind: 'business-hours', startHour: 9, endHour: 17, inHours: 1, offHours: 0.1 },
    weeklyAmp: [0, 0],
    noiseSigma: [0.01, 0.03],
    arPhi: [0.6, 0.9],
    spikesPerDay: [0, 0],
    spikeMagMean: [0, 0],
    spikeDecayMinutes: null,
    base: { cpu: [0.2, 0.5], mem: [0.3, 0.6], net: [100, 400], disk: [30, 100] },
    cpuNetRho: [0.4, 0.4],
    spikeWeight: NO_SPIKE,
  },
  'wp-cron-heavy': {
    name: 'wp-cron-heavy',
    share: 0.15,
    daily: { kind: 'flat' },
    weeklyAmp: [0, 0],
    noiseSigma: [0.01, 0.02],
    arPhi: [0.3, 0.6],
    spikesPerDay: [20, 60],
    spikeMagMean: [0.1, 0.4],
    spikeDecayMinutes: 5,
    base: { cpu: [0.02, 0.08], mem: [0.05, 0.15], net: [20, 80], disk: [5, 20] },
    cpuNetRho: [0, 0],
    spikeWeight: JOB_SPIKE,
  },
  'cache-driven': {
    name: 'cache-driven',
    share: 0.1,
    daily: { kind: 'cosine', amp: [0.2, 0.45], peakHour: [12, 18] },
    weeklyAmp: [0.1, 0.3],
    noiseSigma: [0.03, 0.08],
    arPhi: [0.7, 0.7],
    spikesPerDay: [3, 15],
    spikeMagMean: [0.3, 1.0],
    spikeDecayMinutes: 10,
    base: { cpu: [0.1, 0.3], mem: [0.2, 0.4], net: [150, 600], disk: [10, 50] },
    cpuNetRho: [0.6, 0.9],
    spikeWeight: { cpu: 2, mem: 0.2, net: 1, disk: 0.5 },
  },
  'compute-heavy': {
    name: 'compute-heavy',
    share: 0.05,
    daily: { kind: 'flat' },
    weeklyAmp: [0, 0],
    noiseSigma: [0.02, 0.05],
    arPhi: [0.7, 0.95],
    spikesPerDay: [0, 0],
    spikeMagMean: [0, 0],
    spikeDecayMinutes: null,
    base: { cpu: [0.5, 0.85], mem: [0.5, 0.85], net: [10, 50], disk: [50, 200] },
    cpuNetRho: [0.1, 0.1],
    spikeWeight: NO_SPIKE,
  },
  'idle-ish': {
    name: 'idle-ish',
    share: 0.1,
    daily: { kind: 'flat' },
    weeklyAmp: [0, 0],
    noiseSigma: [0.002, 0.01],
    arPhi: [0.5, 0.5],
    spikesPerDay: [0.01, 0.1],
    spikeMagMean: [0.1, 0.5],
    spikeDecayMinutes: 5,
    base: { cpu: [0.001, 0.02], mem: [0.01, 0.05], net: [0.1, 5], disk: [0.1, 2] },
    cpuNetRho: [0, 0],
    spikeWeight: JOB_SPIKE,
  },
};

/** Valid range of each metric; generated values are clamped into it. */
export const METRIC_BOUNDS: Readonly<Record<MetricName, Range>> = {
  cpu: [0, 2],
  mem: [0, 1],
  net: [0, Infinity],
  disk: [0, Infinity],
};
