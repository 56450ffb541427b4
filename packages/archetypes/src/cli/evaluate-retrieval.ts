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

const { values: args } = parseArgs({
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
  },
  strict: true,
});

function int(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`--${name} must be a non-negative integer, got "${text}"`);
  return n;
}

async function* fromDir(dir: string): AsyncGenerator<LabelledTenant> {
  for await (const t of readFleet(dir)) yield { tenant: t, archetype: t.params.archetype };
}

function* generated(seed: number, tenants: number, days: number): Generator<LabelledTenant> {
  for (const t of generateFleet(fleetOptions({ seed, tenants, days })))
    yield { tenant: t, archetype: t.params.archetype };
}

async function main(): Promise<void> {
  const started = performance.now();
  const source = args['fleet-dir']
    ? fromDir(args['fleet-dir'])
    : generated(int('seed', args.seed), int('tenants', args.tenants), int('days', args.days));
  const features = await collectRetrievalFeatures(source, {
    seed: int('eval-seed', args['eval-seed']),
    heldOutFraction: Number(args['held-out']),
    windowMinutes: args.windows.split(',').map((w) => int('windows', w.trim())),
    endPointsPerTenant: int('end-points', args['end-points']),
    windowsPerTuningTenant: int('windows-per-tenant', args['windows-per-tenant']),
  });
  const collectedS = (performance.now() - started) / 1000;
  const k = int('k', args.k);
  const kind = args.kind as StoreIndexKind;
  if (args.weighting !== 'fisher' && args.weighting !== 'none')
    throw new RangeError(`--weighting must be fisher or none, got "${args.weighting}"`);
  const weighting = args.weighting;
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
    source: args['fleet-dir'] ?? {
      seed: int('seed', args.seed),
      tenants: int('tenants', args.tenants),
      days: int('days', args.days),
    },
    evalSeed: int('eval-seed', args['eval-seed']),
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

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
