/**
 * A forecast fan chart as a Vega-Lite spec: the history up to the forecast origin, then the
 * central 98%, 80% and 50% intervals as nested bands, the median line, and what actually happened
 * when the file has it. Bands use `fill` and lines `stroke`, so each gets its own legend and a band
 * is never mistaken for a line of the same colour.
 *
 * Pure, like progressSpec and treeSpec: the same series always gives the same spec.
 */
import type { VegaLiteSpec } from '@tsfm/charts';
import { MUTED_TEXT } from '../palette.js';
import type { FanSeries } from './fan-data.js';

export const FAN_WIDTH = 460;
export const FAN_HEIGHT = 190;

/** Widest first: drawn in this order, each narrower band lands on top of the wider one. */
export const FAN_BANDS = [
  { label: '98% interval', lower: 0.01, upper: 0.99, color: '#deebf7' },
  { label: '80% interval', lower: 0.1, upper: 0.9, color: '#9ecae1' },
  { label: '50% interval', lower: 0.25, upper: 0.75, color: '#5fa2d2' },
] as const;

const LINES = { history: '#7a7a7a', median: '#08306b', actual: '#d95f02' } as const;
/** History shown, in horizons: enough to see the level and the recent shape, and the fan keeps a third of the width. */
const HISTORY_HORIZONS = 2;
const ORIGIN_COLOR = '#9a9a9a';

/** The quantile array at `level`, matching keys like "0.1" and "0.10" alike. */
export function quantileAt(series: FanSeries, level: number): number[] | undefined {
  for (const [key, values] of Object.entries(series.quantiles)) if (Math.abs(Number(key) - level) < 1e-9) return values;
  return undefined;
}

export function fanSpec(series: FanSeries): VegaLiteSpec {
  const step = series.stepMinutes ?? 1;
  const unit = series.stepMinutes === undefined ? 'steps' : 'minutes';
  const median = quantileAt(series, 0.5);
  const bands = FAN_BANDS.map((band) => ({
    ...band,
    low: quantileAt(series, band.lower),
    high: quantileAt(series, band.upper),
  })).filter(
    (band): band is typeof band & { low: number[]; high: number[] } =>
      band.low !== undefined && band.high !== undefined,
  );
  const horizon = Math.max(0, ...Object.values(series.quantiles).map((values) => values.length));

  // History ends at the origin (x = 0); forecast step i is x = i + 1, in minutes when known.
  const shown = horizon > 0 ? series.history.slice(-HISTORY_HORIZONS * horizon) : series.history;
  const history = shown.map((value, index) => ({ x: (index - shown.length + 1) * step, value }));
  const forecast = Array.from({ length: horizon }, (_, i) => {
    const row: Record<string, number | null> = {
      x: (i + 1) * step,
      median: median?.[i] ?? null,
      actual: series.actual?.[i] ?? null,
    };
    bands.forEach((band, b) => {
      row[`low${b}`] = band.low[i] ?? null;
      row[`high${b}`] = band.high[i] ?? null;
    });
    return row;
  });

  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: `${unit} from the forecast origin`,
    axis: { grid: false },
  };
  const y = { type: 'quantitative' as const, title: series.metric, scale: { zero: false } };
  const lineKinds = (['history', 'median', 'actual'] as const)
    .filter((kind) => kind !== 'median' || median !== undefined)
    .filter((kind) => kind !== 'actual' || series.actual !== undefined);
  const stroke = (kind: keyof typeof LINES) => ({
    datum: kind,
    scale: { domain: lineKinds, range: lineKinds.map((name) => LINES[name]) },
    legend: {
      title: null,
      orient: 'bottom' as const,
      direction: 'horizontal' as const,
      symbolType: 'stroke',
      symbolStrokeWidth: 2.5,
    },
  });

  const layers: object[] = bands.map((band, b) => ({
    data: { values: forecast },
    mark: { type: 'area', opacity: 1, interpolate: 'linear' },
    encoding: {
      x,
      y: { ...y, field: `low${b}` },
      y2: { field: `high${b}` },
      fill: {
        datum: band.label,
        scale: { domain: bands.map((entry) => entry.label), range: bands.map((entry) => entry.color) },
        legend: { title: null, orient: 'bottom', direction: 'horizontal', symbolType: 'square' },
      },
    },
  }));
  layers.push({
    data: { values: [{ x: 0 }] },
    mark: { type: 'rule', strokeDash: [3, 3], color: ORIGIN_COLOR },
    encoding: { x: { field: 'x', type: 'quantitative' } },
  });
  layers.push({
    data: { values: history },
    mark: { type: 'line', strokeWidth: 1.3 },
    encoding: { x, y: { ...y, field: 'value' }, stroke: stroke('history') },
  });
  if (series.actual !== undefined) {
    layers.push({
      data: { values: forecast },
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: { x, y: { ...y, field: 'actual' }, stroke: stroke('actual') },
    });
  }
  if (median !== undefined) {
    layers.push({
      data: { values: forecast },
      mark: { type: 'line', strokeWidth: 2 },
      encoding: { x, y: { ...y, field: 'median' }, stroke: stroke('median') },
    });
  }
  // Invisible points over the forecast steps, so hovering anywhere along the fan shows its numbers.
  layers.push({
    data: { values: forecast },
    mark: { type: 'point', opacity: 0, size: 60, filled: true },
    encoding: {
      x,
      y: { ...y, field: median !== undefined ? 'median' : bands.length > 0 ? 'low0' : 'actual' },
      tooltip: [
        { field: 'x', title: unit },
        ...(median !== undefined ? [{ field: 'median', format: '.4~g' }] : []),
        ...bands.flatMap((band, b) => [
          { field: `low${b}`, title: `${band.label} low`, format: '.4~g' },
          { field: `high${b}`, title: `${band.label} high`, format: '.4~g' },
        ]),
        ...(series.actual !== undefined ? [{ field: 'actual', format: '.4~g' }] : []),
      ],
    },
  });

  const subtitle = [
    series.alpha === undefined ? null : `α ${series.alpha} is the level the metric scores`,
    `${shown.length * step} ${unit} of history, ${horizon * step} ${unit} ahead`,
  ].filter((part): part is string => part !== null);
  return {
    title: {
      text: `${series.tenant} · ${series.metric}`,
      subtitle: [subtitle.join(' · ')],
      anchor: 'start',
      subtitleColor: MUTED_TEXT,
    },
    width: FAN_WIDTH,
    height: FAN_HEIGHT,
    background: 'white',
    config: {
      view: { stroke: null },
      axis: { labelFontSize: 10, titleFontSize: 11, titleFontWeight: 'normal' },
      legend: { labelFontSize: 10 },
    },
    layer: layers,
  } as VegaLiteSpec;
}
