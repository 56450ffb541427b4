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

const USAGE = `usage: size-split.ts <workdir> [--split search|confirmation] [--reference <run id>] [--target 0.005]

Prints the metric's and the keep rule's paired 95% half-widths for the first T tenants × first O
origins of every search experiment in <workdir>/runs, and the requests a target half-width takes.`;

// The workspace's command-line contract: --help exits 0, a bad flag exits 2 with the usage, a
// failure is one line (exit 1), never a stack trace.
process.on('uncaughtException', (error) => {
  process.stderr.write(`size-split: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
function usageError(message: string): never {
  process.stderr.write(`size-split: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}
let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    strict: true,
    options: {
      split: { type: 'string', default: 'search' },
      reference: { type: 'string', default: 'seed-harness-default' },
      target: { type: 'string', default: '0.005' },
      help: { type: 'boolean' },
    },
  });
} catch (error) {
  parsed = usageError((error as Error).message);
}
const { values, positionals } = parsed;
if (values.help === true) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const workdir = positionals[0];
const target = Number(values.target);
const split = values.split;
if (positionals.length !== 1 || workdir === undefined) usageError(`expected one workdir, got ${positionals.length}`);
if (!(target > 0)) usageError(`--target ${values.target}: expected a half-width > 0, e.g. 0.005`);
if (split !== 'search' && split !== 'confirmation') usageError(`--split ${split}: expected search or confirmation`);

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
