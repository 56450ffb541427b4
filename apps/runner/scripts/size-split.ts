/**
 * Prints how the search split's noise depends on its size, from a run's own results
 * (src/workflow/research/split-sizing.ts): for the first T tenants × first O origins of every
 * search experiment's requests, the metric's 95% half-width and the paired half-width of each
 * against the reference, with the measured seconds per request. apps/runner/README.md, "Sizing
 * the search split".
 *
 *   npx tsx apps/runner/scripts/size-split.ts <workdir> [--split search|confirmation]
 *       [--reference seed-harness-default] [--target 0.005]
 */
import { parseArgs } from 'node:util';
import { readScoredRuns, sizingReport } from '../src/workflow/research/split-sizing.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    split: { type: 'string', default: 'search' },
    reference: { type: 'string', default: 'seed-harness-default' },
    target: { type: 'string', default: '0.005' },
  },
});
const workdir = positionals[0];
const target = Number(values.target);
const split = values.split;
if (!workdir || !(target > 0) || (split !== 'search' && split !== 'confirmation')) {
  console.error('usage: size-split.ts <workdir> [--split search|confirmation] [--reference <run id>] [--target 0.005]');
  process.exit(2);
}
const runs = await readScoredRuns(workdir, split);
const reference = runs.find((run) => run.id === values.reference);
if (!reference) {
  console.error(`${workdir}: no ${split}-split metrics.json with requests for the reference ${values.reference}`);
  process.exit(1);
}
console.log(`${workdir}, ${split} split:`);
process.stdout.write(
  sizingReport(
    reference,
    runs.filter((run) => run !== reference),
    target,
  ),
);
