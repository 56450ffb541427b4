/**
 * Retrieval accuracy of the archetype store on held-out tenants.
 *
 *   npx tsx packages/archetypes/src/cli/evaluate-retrieval.ts --tenants 1000 --days 14 --out reports/retrieval
 *   npx tsx packages/archetypes/src/cli/evaluate-retrieval.ts --fleet-dir workdirs/fleet --out reports/retrieval
 *   ... --ablation   also scores feature-group subsets (one pass over the fleet, many stores)
 *
 * Writes <out>/retrieval.json and <out>/retrieval.md and prints `key: value` lines a grep can read.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fleetOptions, generateFleet, readFleet } from '@tsfm/workload-gen';
import {
  collectRetrievalFeatures,
  retrievalMarkdown,
  scoreRetrieval,
  type LabelledTenant,
  type RetrievalReport,
} from '../evaluate-retrieval.js';
import { DEFAULT_FEATURE_GROUPS, FEATURE_GROUPS, type FeatureGroup } from '../features.js';
import type { StoreIndexKind } from '../store.js';

const USAGE = `Usage: npx tsx packages/archetypes/src/cli/evaluate-retrieval.ts [options]

  --fleet-dir DIR          read tenants from a workload-gen fleet (default: generate one)
  --tenants N              generated fleet size (default 1000)
  --days D                 generated days (default 14)
  --seed S                 generated fleet seed (default 1)
  --eval-seed S            held-out split and window seed (default 7)
  --held-out X             held-out share of tenants, in (0, 1) (default 0.3)
  --k K                    neighbours per query (default 10)
  --end-points N           window end points per held-out tenant (default 6)
  --windows-per-tenant N   windows per tuning tenant in the window stores (default 16)
  --windows LIST           window lengths in minutes (default 30,60,120,240,480)
  --kind K                 store index kind (default auto)
  --weighting W            fisher | none (default fisher)
  --ablation               also score feature-group subsets
  --out DIR                where retrieval.json and retrieval.md go (default reports/retrieval)
  --help                   this text`;

/** A command line this script cannot run: printed with the usage, exit 2. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

function parseCli(argv: readonly string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        tenants: { type: 'string', default: '1000' },
        days: { type: 'string', default: '14' },
        seed: { type: 'string', default: '1' },
        'eval-seed': { type: 'string', default: '7' },
        'fleet-dir': { type: 'string' },
        'held-out': { type: 'string', default: '0.3' },
        k: { type: 'string', default: '10' },
        'end-points': { type: 'string', default: '6' },
        'windows-per-tenant': { type: 'string', default: '16' },
        windows: { type: 'string', default: '30,60,120,240,480' },
        kind: { type: 'string', default: 'auto' },
        weighting: { type: 'string', default: 'fisher' },
        ablation: { type: 'boolean', default: false },
        out: { type: 'string', default: 'reports/retrieval' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const args = parsed.values;
  if (args.weighting !== 'fisher' && args.weighting !== 'none')
    throw new UsageError(`--weighting must be fisher or none, got "${args.weighting}"`);
  const heldOut = Number(args['held-out']);
  if (!(heldOut > 0 && heldOut < 1)) throw new UsageError(`--held-out must be in (0, 1), got "${args['held-out']}"`);
  return args;
}

function int(name: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 0)
    throw new UsageError(`--${name} must be a non-negative integer, got "${text}"`);
  return n;
}

async function* fromDir(dir: string): AsyncGenerator<LabelledTenant> {
  for await (const t of readFleet(dir)) yield { tenant: t, archetype: t.params.archetype };
}

function* generated(seed: number, tenants: number, days: number): Generator<LabelledTenant> {
  for (const t of generateFleet(fleetOptions({ seed, tenants, days })))
    yield { tenant: t, archetype: t.params.archetype };
}

async function main(argv: readonly string[]): Promise<void> {
  const args = parseCli(argv);
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const weighting = args.weighting as 'fisher' | 'none';
  // Every number is checked before the (minutes-long) feature pass, so a typo fails at once.
  const fleet = { seed: int('seed', args.seed), tenants: int('tenants', args.tenants), days: int('days', args.days) };
  const collect = {
    seed: int('eval-seed', args['eval-seed']),
    heldOutFraction: Number(args['held-out']),
    windowMinutes: args.windows.split(',').map((w) => int('windows', w.trim())),
    endPointsPerTenant: int('end-points', args['end-points']),
    windowsPerTuningTenant: int('windows-per-tenant', args['windows-per-tenant']),
  };
  const k = int('k', args.k);
  const started = performance.now();
  const source = args['fleet-dir'] ? fromDir(args['fleet-dir']) : generated(fleet.seed, fleet.tenants, fleet.days);
  const features = await collectRetrievalFeatures(source, collect);
  const collectedS = (performance.now() - started) / 1000;
  const kind = args.kind as StoreIndexKind;
  const report = scoreRetrieval(features, { k, kind, weighting });

  const ablation: { label: string; report: RetrievalReport }[] = [];
  if (args.ablation) {
    const extras = FEATURE_GROUPS.filter((g) => g !== 'core');
    const sets: [string, FeatureGroup[]][] = [
      ['core (28)', ['core']],
      ...extras.map((g): [string, FeatureGroup[]] => [`core + ${g}`, ['core', g]]),
      ...extras.map((g): [string, FeatureGroup[]] => [`all − ${g}`, FEATURE_GROUPS.filter((x) => x !== g)]),
      ['all', [...FEATURE_GROUPS]],
      [`default (${DEFAULT_FEATURE_GROUPS.join(', ')})`, [...DEFAULT_FEATURE_GROUPS]],
      [`default, unweighted`, [...DEFAULT_FEATURE_GROUPS]],
    ];
    for (const [label, groups] of sets) {
      const w = label.endsWith('unweighted') ? 'none' : weighting;
      ablation.push({ label, report: scoreRetrieval(features, { k, kind, weighting: w, featureGroups: groups }) });
    }
  }

  mkdirSync(args.out, { recursive: true });
  const meta = {
    source: args['fleet-dir'] ?? fleet,
    evalSeed: collect.seed,
    weighting,
    seconds: { collect: collectedS, total: (performance.now() - started) / 1000 },
  };
  writeFileSync(join(args.out, 'retrieval.json'), `${JSON.stringify({ ...meta, report, ablation }, null, 1)}\n`);
  let md = retrievalMarkdown(report);
  if (ablation.length > 0) md += `\n${ablationMarkdown(ablation)}`;
  writeFileSync(join(args.out, 'retrieval.md'), md);

  for (const r of report.results) console.log(`accuracy_${r.condition}_${r.store}: ${r.accuracy.toFixed(4)}`);
  if (ablation.length > 0) console.log(`\n${ablationMarkdown(ablation)}`);
  console.log(`tuning_tenants: ${report.tuningTenants}\nheld_out_tenants: ${report.heldOutTenants}`);
  console.log(`seconds: ${meta.seconds.total.toFixed(1)} (features ${collectedS.toFixed(1)})`);
  console.log(`wrote: ${join(args.out, 'retrieval.md')}`);
}

/** Accuracy per feature set: full history against the full store, windows against window stores. */
function ablationMarkdown(rows: readonly { label: string; report: RetrievalReport }[]): string {
  const conditions = [...new Set(rows[0].report.results.map((r) => r.condition))];
  const cell = (rep: RetrievalReport, c: string) =>
    rep.results
      .find((r) => r.condition === c && (c === 'full' || r.store === 'same-length-windows'))
      ?.accuracy.toFixed(3) ?? '—';
  return [
    '## Ablation (accuracy; windows scored against same-length window stores)',
    '',
    `| features | dim | ${conditions.join(' | ')} |`,
    `|---|---|${conditions.map(() => '---|').join('')}`,
    ...rows.map(
      ({ label, report }) => `| ${label} | ${report.dim} | ${conditions.map((c) => cell(report, c)).join(' | ')} |`,
    ),
    '',
  ].join('\n');
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(
    error instanceof UsageError ? `evaluate-retrieval: ${message}\n\n${USAGE}` : `evaluate-retrieval: ${message}`,
  );
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
