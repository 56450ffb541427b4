#!/usr/bin/env -S npx tsx
/**
 * workload-gen: generate a synthetic multi-tenant fleet to Arrow (or CSV) plus manifest.json.
 *
 *   npx tsx packages/workload-gen/src/cli/workload-gen.ts --tenants 1000 --days 30 --seed 42 --out workdirs/fleet
 */
import { resolve } from 'node:path';
import { fleetOptions } from '../fleet.js';
import { writeFleet } from '../fleet-writer.js';
import { parseCli, USAGE, UsageError } from './args.js';
import { startProgress } from './progress.js';

async function main(argv: readonly string[]): Promise<number> {
  let cli;
  try {
    cli = parseCli(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`workload-gen: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (cli === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const fleet = fleetOptions({
    seed: cli.seed,
    tenants: cli.tenants,
    days: cli.days,
    start: cli.start,
    stepMinutes: cli['step-minutes'],
    ...(cli['utc-offsets'] ? { utcOffsetsMinutes: cli['utc-offsets'] } : {}),
  });
  const out = resolve(cli.out);
  const started = performance.now();
  const progress = startProgress(fleet.tenants, 'workload-gen');
  let result;
  try {
    result = await writeFleet(out, fleet, {
      format: cli.format,
      workers: cli.workers,
      onProgress: (done, _total, bytes) => progress.update(done, bytes),
    });
  } finally {
    progress.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `wrote ${fleet.tenants} tenants × ${fleet.length} points × 4 metrics to ${result.dataFile} ` +
      `(${(result.bytesWritten / 2 ** 20).toFixed(1)} MB) and ${out}/manifest.json in ${seconds.toFixed(1)} s\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`workload-gen: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
