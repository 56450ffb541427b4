/** report.md's "Knob effects" section: the per-knob table of knob-effects.ts and its chart. */
import { formatChange, formatMetric } from './format.js';
import { code, table } from './markdown.js';
import { KNOB_EFFECTS_MAX_ROWS, type KnobEffects } from './knob-effects.js';
import { relativeChange } from './ranking.js';

export const KNOB_EFFECTS_PNG = 'knob_effects.png';

/** The section as Markdown; report.html passes `image: false` and draws the chart's spec itself. */
export function knobEffectsSection(effects: KnobEffects | undefined, { image = true } = {}): string[] {
  const lines = ['## Knob effects', ''];
  if (!effects) return [...lines, 'No candidate experiment with a metric in master_table.tsv yet.'];
  const cut =
    effects.available > effects.experiments
      ? ` It was cut to the first ${effects.experiments} of ${effects.available} experiments in ledger order: danfo.js computes in float32 and slows quadratically, so it is fed at most ${KNOB_EFFECTS_MAX_ROWS} rows.`
      : '';
  lines.push(
    `master_table.tsv read into a danfo.js DataFrame: for each knob, the mean search-split metric of the ${effects.experiments} candidate experiments ` +
      `at each of its values, with counts (the oracle and the best fixed config are references, not harness configs, and are left out; ` +
      `${effects.defaultsKnown ? "a knob an experiment left unset counts at the template's default" : `the template's defaults are unknown, so an unset knob shows as ${code('(unset)')}`}). ` +
      `Knobs are ordered by spread (largest mean minus smallest). These are marginal means over what the planner chose to try, not a designed experiment: ` +
      `a value tried only beside a good incumbent looks good by association, and a value with one experiment is one noisy number.${cut}`,
    '',
  );
  if (effects.knobs.length === 0) {
    lines.push(
      effects.constant.length > 0
        ? `Every knob held one value in every experiment (${effects.constant.map(code).join(', ')}): nothing to compare yet.`
        : 'No experiment set a knob yet (all ran at the defaults): nothing to compare yet.',
    );
    return lines;
  }
  const rows: string[][] = [];
  for (const knob of effects.knobs) {
    knob.values.forEach((entry, index) => {
      rows.push([
        index === 0 ? `${code(knob.knob)} (spread ${formatMetric(knob.spread)})` : '',
        code(entry.value),
        String(entry.count),
        formatMetric(entry.mean),
        formatChange(relativeChange(entry.mean, effects.overallMean)),
        formatMetric(entry.min),
      ]);
    });
  }
  lines.push(
    ...table(['knob', 'value', 'experiments', 'mean (search)', 'vs mean of all', 'lowest (search)'], rows),
    '',
    `Mean of all ${effects.experiments}: ${formatMetric(effects.overallMean)}.` +
      (effects.constant.length > 0 ? ` One value throughout: ${effects.constant.map(code).join(', ')}.` : ''),
  );
  if (image) lines.push('', `![Knob effects: mean search metric per knob value, sized by count](${KNOB_EFFECTS_PNG})`);
  return lines;
}
