/**
 * knob_effects.png: one row per knob (largest spread on top), a point per value at its mean
 * search metric, sized by how many experiments ran at it, with the overall mean as a dashed rule
 * — the same axis for every knob, so a wide spread reads as a long row.
 */
import type { VegaLiteSpec } from '@tsfm/charts';
import { formatMetric, METRIC_LABEL } from './format.js';
import type { KnobEffects } from './knob-effects.js';
import { BASELINE_COLOR, MUTED_TEXT, RUNNING_BEST_COLOR } from './palette.js';

const WIDTH = 440;
const ROW_STEP = 18;
/** Long values (comma lists of context lengths) are cut on the axis; the table has them whole. */
const LABEL_LIMIT_PX = 230;

export function knobEffectsSpec(effects: KnobEffects): VegaLiteSpec {
  const maxCount = Math.max(1, ...effects.knobs.flatMap((knob) => knob.values.map((entry) => entry.count)));
  const means = effects.knobs.flatMap((knob) => knob.values.map((entry) => entry.mean));
  const low = Math.min(...means, effects.overallMean);
  const high = Math.max(...means, effects.overallMean);
  const pad = (high - low) * 0.08 || Math.abs(high) * 0.01 || 0.01;
  // One panel per knob, stacked, every one on the same metric axis (an explicit domain: a shared
  // scale over facets with their own value lists makes vega-lite warn on every render).
  const panels = effects.knobs.map((knob, order) => {
    const last = order === effects.knobs.length - 1;
    const x = {
      field: 'mean',
      type: 'quantitative' as const,
      title: last ? `${METRIC_LABEL} (search split), averaged per value; lower is better` : null,
      scale: { zero: false, nice: false, domain: [low - pad, high + pad] },
      axis: last ? {} : { labels: false, ticks: false },
    };
    const y = {
      field: 'value',
      type: 'nominal' as const,
      title: null,
      sort: null,
      axis: { labelLimit: LABEL_LIMIT_PX },
    };
    return {
      title: { text: knob.knob, anchor: 'start' as const, fontSize: 12 },
      width: WIDTH,
      height: { step: ROW_STEP },
      data: { values: knob.values.map((entry) => ({ ...entry, knob: knob.knob, label: `n=${entry.count}` })) },
      layer: [
        {
          data: { values: [{ mean: effects.overallMean }] },
          mark: { type: 'rule', strokeDash: [5, 4], color: BASELINE_COLOR, opacity: 0.7 },
          encoding: { x },
        },
        {
          mark: { type: 'point', filled: true, color: RUNNING_BEST_COLOR, opacity: 0.9 },
          encoding: {
            x,
            y,
            size: {
              field: 'count',
              type: 'quantitative',
              scale: { domain: [1, maxCount], range: [30, 260] },
              legend: null,
            },
            tooltip: [{ field: 'knob' }, { field: 'value' }, { field: 'mean', format: '.4f' }, { field: 'count' }],
          },
        },
        {
          mark: { type: 'text', align: 'left', dx: 9, fontSize: 10, color: MUTED_TEXT },
          encoding: { x, y, text: { field: 'label' } },
        },
      ],
    };
  });
  const cut =
    effects.available > effects.experiments ? ` (the first ${effects.experiments} of ${effects.available})` : '';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Mean search metric per knob value',
      subtitle: `${effects.experiments} experiments${cut}; point size = experiments at that value; dashed: mean of all, ${formatMetric(effects.overallMean)}`,
      anchor: 'start',
      subtitleColor: MUTED_TEXT,
    },
    background: 'white',
    spacing: 14,
    vconcat: panels,
    config: {
      view: { stroke: '#e6e6e6' },
      axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
    },
  } as VegaLiteSpec;
}
