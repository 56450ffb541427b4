/**
 * progress.png: every finished experiment in the order it finished, its search metric on y (lower
 * is better), the running best — the candidate kept most recently (ranking.ts) — as a step line;
 * under it a latency panel: each experiment's p99 per request with the budget as a rule, so a point
 * above the line is an experiment the keep rule could not keep however good its metric. Kept points
 * are green, discarded grey, seed experiments dark diamonds with their baselines as dashed
 * reference lines; the running best follows candidates only (the oracle and the best fixed config
 * are references, ranking.ts). Crashed and failed experiments have no metric, so they are red × in
 * a band above the plot instead of points at some made-up value (a crash drawn at 0 would look like
 * the best run).
 *
 * Pure: returns a Vega-Lite spec, so report.html can embed the very same chart later.
 */
import type { VegaLiteSpec } from '@tsfm/charts';
import { formatMetric, METRIC_LABEL, truncate } from './format.js';
import {
  BASELINE_COLOR,
  CROSS_SHAPE,
  EXPERIMENT_SHAPE,
  MUTED_TEXT,
  OUTCOME_COLORS,
  OUTCOME_LABELS,
  RUNNING_BEST_COLOR,
  SEED_COLOR,
  SEED_SHAPE,
} from './palette.js';
import { bestNode, finishOrder, hasMetric, isCandidate, outcomeOf } from './ranking.js';
import { SEED_ROLE_LABELS, seedRole } from './seed-roles.js';
import type { TreeNode } from './tree-input.js';

export const PROGRESS_HEIGHT = 340;
/** Pixels at the top of the plot kept for crashed experiments, outside the metric's range. */
export const CRASH_BAND_PX = 26;
const RUNNING_BEST_LABEL = 'running best';

/** The point categories, in legend order; colour and shape both encode this one field, so one legend explains both. */
export const PROGRESS_KINDS = {
  seed: { label: 'seed experiment', color: SEED_COLOR, shape: SEED_SHAPE },
  kept: { label: 'kept', color: OUTCOME_COLORS.kept, shape: EXPERIMENT_SHAPE },
  discarded: { label: 'discarded', color: OUTCOME_COLORS.discarded, shape: EXPERIMENT_SHAPE },
  undecided: { label: OUTCOME_LABELS.undecided, color: OUTCOME_COLORS.undecided, shape: EXPERIMENT_SHAPE },
  crashed: { label: 'crashed / failed', color: OUTCOME_COLORS.crashed, shape: CROSS_SHAPE },
} as const;

export type ProgressKind = keyof typeof PROGRESS_KINDS;

export interface ProgressPoint {
  readonly order: number;
  readonly id: string;
  readonly name: string;
  readonly metric: number;
  readonly kind: string;
  readonly hypothesis: string;
}

export interface CrashMark {
  readonly order: number;
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly error: string;
}

export interface ProgressData {
  readonly points: ProgressPoint[];
  readonly crashes: CrashMark[];
  /** One step per finished experiment from the first kept candidate on: the best so far. */
  readonly runningBest: Array<{ readonly order: number; readonly best: number }>;
  readonly baselines: Array<{ readonly label: string; readonly metric: number }>;
  readonly finished: number;
  /** p99 latency per finished experiment that reported one. */
  readonly latencies: Array<{
    readonly order: number;
    readonly id: string;
    readonly name: string;
    readonly p99: number;
    readonly kind: string;
  }>;
  /** The evaluator's latency budget (ms), when the experiments report one. */
  readonly budgetMs: number | null;
}

function kindOf(node: TreeNode): ProgressKind {
  if (!hasMetric(node)) return 'crashed';
  if (node.seed) return 'seed';
  const outcome = outcomeOf(node);
  return outcome === 'kept' ? 'kept' : outcome === 'discarded' ? 'discarded' : 'undecided';
}

export function progressData(nodes: readonly TreeNode[]): ProgressData {
  const ordered = finishOrder(nodes);
  const points: ProgressPoint[] = [];
  const crashes: CrashMark[] = [];
  const runningBest: ProgressData['runningBest'] = [];
  let best: number | undefined;
  ordered.forEach((node, index) => {
    const order = index + 1;
    const kind = PROGRESS_KINDS[kindOf(node)].label;
    if (hasMetric(node)) {
      points.push({
        order,
        id: node.id,
        name: node.name,
        metric: node.metric,
        kind,
        hypothesis: truncate(node.hypothesis, 160),
      });
    } else {
      crashes.push({ order, id: node.id, name: node.name, kind, error: truncate(node.error ?? 'no metric', 160) });
    }
    // The running best follows the keep rule (ranking.ts): it moves only when a candidate is kept.
    if (isCandidate(node) && node.decision === 'keep') best = node.metric;
    if (best !== undefined) runningBest.push({ order, best });
  });
  const baselines: ProgressData['baselines'] = [];
  for (const node of ordered) {
    const role = seedRole(node);
    if (hasMetric(node) && role !== null && role !== 'seed')
      baselines.push({ label: `${SEED_ROLE_LABELS[role]} ${formatMetric(node.metric)}`, metric: node.metric });
  }
  const latencies: ProgressData['latencies'] = [];
  ordered.forEach((node, index) => {
    if (node.latencyMsP99 !== null && Number.isFinite(node.latencyMsP99))
      latencies.push({
        order: index + 1,
        id: node.id,
        name: node.name,
        p99: node.latencyMsP99,
        kind: PROGRESS_KINDS[kindOf(node)].label,
      });
  });
  const budgets = ordered.flatMap((node) => (typeof node.budgetMs === 'number' ? [node.budgetMs] : []));
  const budgetMs = budgets.length > 0 ? Math.max(...budgets) : null;
  return { points, crashes, runningBest, baselines, finished: ordered.length, latencies, budgetMs };
}

export function progressSpec(nodes: readonly TreeNode[]): VegaLiteSpec {
  const data = progressData(nodes);
  const best = bestNode(nodes);
  const n = data.finished;
  // Room for each experiment to be told apart, within what a report page can show.
  const width = Math.max(560, Math.min(1100, 22 * n + 120));
  const title = {
    text: best
      ? `Best ${formatMetric(best.metric)} after ${n} experiment${n === 1 ? '' : 's'}`
      : `No successful experiment yet (${n} finished)`,
    subtitle: subtitleFor(data, best),
    anchor: 'start' as const,
    subtitleColor: MUTED_TEXT,
  };
  if (n === 0) return emptyChart(title, width);

  const present = new Set([...data.points.map((point) => point.kind), ...data.crashes.map((crash) => crash.kind)]);
  const kinds = Object.values(PROGRESS_KINDS).filter((kind) => present.has(kind.label));
  const legend = { title: null, orient: 'bottom' as const, direction: 'horizontal' as const };
  const color = { scale: { domain: kinds.map((kind) => kind.label), range: kinds.map((kind) => kind.color) }, legend };
  const shape = { scale: { domain: kinds.map((kind) => kind.label), range: kinds.map((kind) => kind.shape) }, legend };
  const x = {
    field: 'order',
    type: 'quantitative' as const,
    title: 'experiment (in order finished)',
    scale: { domain: [0.5, n + 0.5], nice: false, zero: false },
    axis: { tickMinStep: 1, format: 'd', grid: false },
  };
  const metricValues = [...data.points.map((point) => point.metric), ...data.baselines.map((line) => line.metric)];
  const domain = paddedDomain(metricValues);
  const range: [number, number] = [PROGRESS_HEIGHT, data.crashes.length > 0 ? CRASH_BAND_PX + 6 : 0];
  const y = {
    field: 'metric',
    type: 'quantitative' as const,
    // Two short lines: vega sizes the canvas from an estimate of text width (no canvas in node)
    // that runs ~40% long, and one long rotated title would add a blank band above the plot.
    title: [METRIC_LABEL, 'lower is better ↓'],
    // Crashes get the band above the metric range; the metric axis never reaches into it.
    scale: {
      zero: false,
      nice: false,
      domain,
      range,
    },
  };

  const layers: object[] = [];
  // Labels by pixel, not on the metric scale: two baselines a label's height apart or closer (the
  // harness default and the best fixed config often differ by 0.003) would print one label over the other.
  const baselineMetrics = data.baselines.map((line) => line.metric);
  const labelBottoms = domain ? baselineLabelBottoms(baselineMetrics, domain, range) : [];
  data.baselines.forEach((line, index) => {
    layers.push(
      {
        data: { values: [line] },
        mark: { type: 'rule', strokeDash: [5, 4], color: BASELINE_COLOR, strokeWidth: 1, opacity: 0.8 },
        encoding: { y },
      },
      {
        data: { values: [line] },
        mark: { type: 'text', align: 'right', baseline: 'bottom', fontSize: 10, color: BASELINE_COLOR },
        encoding: { y: { value: labelBottoms[index] }, x: { value: width - 4 }, text: { field: 'label' } },
      },
    );
  });
  const lastBest = data.runningBest.at(-1);
  if (lastBest) {
    // Carried to the right edge so the last step reads as "still the best".
    const values = [...data.runningBest, { order: n + 0.5, best: lastBest.best }];
    layers.push({
      data: { values },
      mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2, color: RUNNING_BEST_COLOR },
      encoding: {
        x,
        y: { ...y, field: 'best' },
        // A one-entry legend with a line symbol, beside the point legend; a colour entry would show a dot.
        strokeDash: {
          datum: RUNNING_BEST_LABEL,
          scale: { domain: [RUNNING_BEST_LABEL], range: [[1, 0]] },
          legend: {
            title: null,
            orient: 'bottom',
            symbolType: 'stroke',
            symbolStrokeColor: RUNNING_BEST_COLOR,
            symbolStrokeWidth: 2.5,
          },
        },
      },
    });
  }
  layers.push({
    data: { values: data.points },
    mark: { type: 'point', filled: true, size: 80, opacity: 1, stroke: 'white', strokeWidth: 0.8 },
    encoding: {
      x,
      y,
      color: { ...color, field: 'kind', type: 'nominal' },
      shape: { ...shape, field: 'kind', type: 'nominal' },
      tooltip: [{ field: 'name' }, { field: 'metric', format: '.4f' }, { field: 'kind' }, { field: 'hypothesis' }],
    },
  });
  if (best) {
    const point = data.points.find((candidate) => candidate.id === best.id);
    if (point) {
      // Below the point, where nothing better can be; on the side with more room.
      const right = point.order > n * 0.6;
      layers.push({
        data: { values: [{ ...point, label: `best: ${truncate(point.name, 28)}` }] },
        mark: {
          type: 'text',
          align: right ? 'right' : 'left',
          baseline: 'top',
          dx: right ? -4 : 4,
          dy: 9,
          fontSize: 11,
          fontWeight: 'bold',
          color: RUNNING_BEST_COLOR,
        },
        encoding: { x, y, text: { field: 'label' } },
      });
    }
  }
  if (data.crashes.length > 0) {
    layers.push(
      {
        data: { values: [{}] },
        mark: { type: 'rect', color: '#fbe3e0', opacity: 0.6 },
        encoding: { x: { value: 0 }, x2: { value: 'width' }, y: { value: 0 }, y2: { value: CRASH_BAND_PX } },
      },
      {
        data: { values: [{ label: 'no metric' }] },
        mark: { type: 'text', align: 'right', baseline: 'middle', dx: -6, fontSize: 10, color: OUTCOME_COLORS.crashed },
        encoding: { x: { value: 0 }, y: { value: CRASH_BAND_PX / 2 }, text: { field: 'label' } },
      },
      {
        data: { values: data.crashes },
        // Placed by pixel in the band: a crash has no metric, so it must not get a y from one.
        mark: { type: 'point', filled: true, size: 90, opacity: 1, strokeWidth: 0 },
        encoding: {
          x,
          y: { value: CRASH_BAND_PX / 2 },
          color: { ...color, field: 'kind', type: 'nominal' },
          shape: { ...shape, field: 'kind', type: 'nominal' },
          tooltip: [{ field: 'name' }, { field: 'error' }],
        },
      },
    );
  }
  const config = {
    view: { stroke: null },
    axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
    legend: { labelFontSize: 11, symbolSize: 90, labelLimit: 300 },
  };
  if (data.latencies.length === 0) {
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title,
      width,
      height: PROGRESS_HEIGHT,
      background: 'white',
      config,
      layer: layers,
    } as VegaLiteSpec;
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    background: 'white',
    config,
    spacing: 18,
    vconcat: [
      { width, height: PROGRESS_HEIGHT, layer: layers },
      { width, height: LATENCY_HEIGHT, layer: latencyLayers(data, x, color, shape) },
    ],
  } as VegaLiteSpec;
}

export const LATENCY_HEIGHT = 120;

/** The latency panel: p99 per experiment, the budget as a dashed rule with its value. */
function latencyLayers(data: ProgressData, x: object, color: object, shape: object): object[] {
  const values = data.latencies.map((point) => point.p99);
  const top = Math.max(...values, data.budgetMs ?? 0) * 1.1;
  const y = {
    field: 'p99',
    type: 'quantitative' as const,
    title: ['latency p99 (ms)', 'per request'],
    scale: { domain: [0, top], nice: false },
  };
  const layers: object[] = [];
  if (data.budgetMs !== null) {
    const budget = [{ p99: data.budgetMs, label: `budget ${data.budgetMs} ms` }];
    layers.push(
      {
        data: { values: budget },
        mark: { type: 'rule', strokeDash: [5, 4], color: OUTCOME_COLORS.crashed, strokeWidth: 1.2 },
        encoding: { y },
      },
      {
        data: { values: budget },
        mark: {
          type: 'text',
          align: 'left',
          baseline: 'bottom',
          dx: 4,
          dy: -2,
          fontSize: 10,
          color: OUTCOME_COLORS.crashed,
        },
        encoding: { y, x: { value: 0 }, text: { field: 'label' } },
      },
    );
  }
  layers.push({
    data: { values: data.latencies },
    mark: { type: 'point', filled: true, size: 50, opacity: 1, stroke: 'white', strokeWidth: 0.6 },
    encoding: {
      x: { ...x, title: null },
      y,
      // The same scales as the metric panel's points: vega-lite merges them into its one legend.
      color: { ...color, field: 'kind', type: 'nominal' },
      shape: { ...shape, field: 'kind', type: 'nominal' },
      tooltip: [{ field: 'name' }, { field: 'p99', format: '.1f' }],
    },
  });
  return layers;
}

function subtitleFor(data: ProgressData, best: TreeNode | undefined): string[] {
  const parts: string[] = [];
  if (best) parts.push(`best: ${truncate(best.name, 40)} (${best.id})`);
  if (data.crashes.length > 0) parts.push(`${data.crashes.length} crashed or failed`);
  parts.push('lower is better');
  return [parts.join(' · ')];
}

/**
 * A little air above the data, and more below it: the best point is the lowest candidate and its
 * label goes underneath, where it must not run into the axis.
 */
function paddedDomain(values: readonly number[]): [number, number] | undefined {
  if (values.length === 0) return undefined;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max > min ? max - min : Math.max(Math.abs(min) * 0.1, 0.02);
  return [min - span * 0.12, max + span * 0.06];
}

/** Pixels a baseline label takes up (10 px text with its descenders). */
export const BASELINE_LABEL_PX = 12;
/** Pixels between a baseline's rule and its label. */
const BASELINE_LABEL_GAP_PX = 2;

/**
 * The pixel y (from the top of the plot) of the bottom edge of each baseline's label, in the order
 * of `metrics`, on the linear scale `domain` → `range`. A label sits just above its rule unless it
 * would run into the label above it; then it goes just under its own rule, or lower still where
 * that too is taken, so no two labels share a pixel row.
 */
export function baselineLabelBottoms(
  metrics: readonly number[],
  domain: readonly [number, number],
  range: readonly [number, number],
): number[] {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  // As vega's linear scale maps them (nice and zero off); paddedDomain never gives d0 = d1.
  const rules = metrics.map((metric) => r0 + ((metric - d0) / (d1 - d0)) * (r1 - r0));
  // Top of the plot first; equal rules keep their given order.
  const order = rules.map((_, index) => index).sort((a, b) => rules[a] - rules[b] || a - b);
  const bottoms = new Array<number>(metrics.length).fill(0);
  let lowestBottom = Number.NEGATIVE_INFINITY;
  for (const index of order) {
    const rule = rules[index];
    const above = rule - BASELINE_LABEL_GAP_PX;
    const bottom =
      above - BASELINE_LABEL_PX >= lowestBottom
        ? above
        : Math.max(rule + BASELINE_LABEL_GAP_PX + BASELINE_LABEL_PX, lowestBottom + BASELINE_LABEL_PX);
    bottoms[index] = bottom;
    lowestBottom = bottom;
  }
  return bottoms;
}

function emptyChart(title: object, width: number): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width,
    height: 120,
    background: 'white',
    config: { view: { stroke: '#dddddd' } },
    data: { values: [{ text: 'no finished experiments yet' }] },
    mark: { type: 'text', fontSize: 13, color: MUTED_TEXT },
    encoding: { text: { field: 'text' } },
  } as VegaLiteSpec;
}
