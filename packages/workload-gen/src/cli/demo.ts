/**
 * `npm run demo`: the default fleet (1000 tenants, 30 days at 1 minute, seed 42) in
 * workdirs/demo/fleet/, then a per-archetype summary read back from the file on disk.
 * An existing fleet with the same manifest parameters is reused, not regenerated.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ARCHETYPE_NAMES, type ArchetypeName } from '../archetypes.js';
import { fleetOptions, type FleetOptions } from '../fleet.js';
import { readFleet } from '../fleet-reader.js';
import { writeFleet } from '../fleet-writer.js';
import { MANIFEST_VERSION, readManifest } from '../manifest.js';
import { METRICS } from '../series.js';
import { startProgress } from './progress.js';

const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../../../..');
const FLEET_DIR = join(REPO_ROOT, 'workdirs', 'demo', 'fleet');
const USAGE = `Usage: npx tsx packages/workload-gen/src/cli/demo.ts   (npm run demo)

Writes the default fleet (1000 tenants, 30 days at 1 minute, seed 42) to workdirs/demo/fleet/,
reusing one already there with the same parameters, and prints a per-archetype summary.
It takes no options; workload-gen.ts writes any other fleet.

  --help   this text`;
const FLEET = fleetOptions({ seed: 42, tenants: 1000, days: 30, start: Date.UTC(2024, 0, 1), stepMinutes: 1 });

/** True when dir holds a complete fleet made with exactly these options. */
async function hasFleet(dir: string, o: FleetOptions): Promise<boolean> {
  try {
    const m = await readManifest(dir);
    const same =
      m.version === MANIFEST_VERSION &&
      m.seed === o.seed &&
      m.tenantCount === o.tenants &&
      m.startMs === o.start &&
      m.stepMs === o.stepMs &&
      m.length === o.length &&
      m.data.format === 'arrow' &&
      JSON.stringify(m.utcOffsetsMinutes) === JSON.stringify(o.utcOffsetsMinutes ?? [0]);
    return same && existsSync(join(dir, m.data.file)) && statSync(join(dir, m.data.file)).size > 0;
  } catch {
    return false;
  }
}

interface Stats {
  tenants: number;
  sum: Record<string, number>;
  points: number;
  peak: Record<string, number>;
}

async function runDemo(): Promise<void> {
  if (await hasFleet(FLEET_DIR, FLEET)) {
    process.stdout.write(`reusing the fleet in ${FLEET_DIR} (same seed, grid and size)\n`);
  } else {
    process.stdout.write(
      `generating ${FLEET.tenants} tenants × 30 days × 1 minute (seed ${FLEET.seed}) into ${FLEET_DIR}\n`,
    );
    const started = performance.now();
    const progress = startProgress(FLEET.tenants, 'demo fleet');
    try {
      await writeFleet(FLEET_DIR, FLEET, { onProgress: (done, _t, bytes) => progress.update(done, bytes) });
    } finally {
      progress.stop();
    }
    process.stdout.write(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }

  const started = performance.now();
  const stats = new Map<ArchetypeName, Stats>();
  for await (const tenant of readFleet(FLEET_DIR)) {
    let s = stats.get(tenant.params.archetype);
    if (!s) {
      s = { tenants: 0, points: 0, sum: {}, peak: {} };
      for (const m of METRICS) {
        s.sum[m] = 0;
        s.peak[m] = -Infinity;
      }
      stats.set(tenant.params.archetype, s);
    }
    s.tenants++;
    for (const m of METRICS) {
      const v = tenant.metrics[m];
      let sum = 0;
      let peak = s.peak[m];
      for (let i = 0; i < v.length; i++) {
        sum += v[i];
        if (v[i] > peak) peak = v[i];
      }
      s.sum[m] += sum;
      s.peak[m] = peak;
    }
    s.points += tenant.metrics.cpu.length;
  }
  printTable(stats);
  process.stdout.write(
    `(read back from ${join(FLEET_DIR, 'fleet.arrow')} in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
      `mean over all points of the archetype's tenants, peak = largest single value)\n`,
  );
}

function printTable(stats: Map<ArchetypeName, Stats>): void {
  const header = ['archetype', 'tenants', ...METRICS.flatMap((m) => [`${m} mean`, `${m} peak`])];
  const rows: string[][] = [];
  for (const name of ARCHETYPE_NAMES) {
    const s = stats.get(name);
    if (!s) continue;
    const cells = [name, String(s.tenants)];
    for (const m of METRICS) {
      const digits = m === 'cpu' || m === 'mem' ? 3 : 1;
      cells.push((s.sum[m] / s.points).toFixed(digits), s.peak[m].toFixed(digits));
    }
    rows.push(cells);
  }
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join('  ');
  process.stdout.write(
    `${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}\n`,
  );
}

async function main(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: { help: { type: 'boolean' } }, strict: true }));
  } catch (e) {
    process.stderr.write(`demo: ${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  await runDemo();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`demo: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
