/**
 * Writing a fleet directory: the data file (Arrow or CSV) streamed tenant by tenant, then
 * manifest.json. The manifest is written last and the data file is renamed into place first,
 * so a directory with a manifest always holds a complete fleet (a crash leaves no manifest).
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fleetTenantParams, generateFleet, validateFleetOptions, type FleetOptions } from './fleet.js';
import { FleetArrowWriter } from './fleet-writer-arrow.js';
import { FleetCsvWriter } from './fleet-writer-csv.js';
import { generateFleetInWorkers } from './fleet-worker-pool.js';
import { buildManifest, MANIFEST_FILE, writeManifest, type FleetDataFormat, type FleetManifest } from './manifest.js';
import type { Tenant } from './series.js';

export interface WriteFleetOptions {
  readonly format?: FleetDataFormat;
  /** Worker threads generating tenants (0 = generate on this thread). Output is identical. */
  readonly workers?: number;
  /** fsync the data file before the manifest is written (default false: see file-sink.ts). */
  readonly durable?: boolean;
  /** Called after each tenant is written. */
  readonly onProgress?: (done: number, total: number, bytesWritten: number) => void;
}

export interface WriteFleetResult {
  readonly dir: string;
  readonly dataFile: string;
  readonly manifest: FleetManifest;
  readonly bytesWritten: number;
}

export async function writeFleet(
  dir: string,
  fleet: FleetOptions,
  options: WriteFleetOptions = {},
): Promise<WriteFleetResult> {
  validateFleetOptions(fleet);
  const format = options.format ?? 'arrow';
  const manifest = buildManifest(fleet, fleetTenantParams(fleet), format);
  await mkdir(dir, { recursive: true });
  await rm(join(dir, MANIFEST_FILE), { force: true });
  const dataFile = join(dir, manifest.data.file);
  const tmp = `${dataFile}.tmp`;
  const writer =
    format === 'arrow'
      ? new FleetArrowWriter({
          path: tmp,
          tenantIds: manifest.tenants.map((t) => t.id),
          start: fleet.start,
          stepMs: fleet.stepMs,
          length: fleet.length,
        })
      : new FleetCsvWriter(tmp, { start: fleet.start, stepMs: fleet.stepMs, length: fleet.length });
  const workers = options.workers ?? 0;
  const tenants: AsyncIterable<Tenant> | Iterable<Tenant> =
    workers > 0 ? generateFleetInWorkers(fleet, { workers }) : generateFleet(fleet);
  let done = 0;
  try {
    for await (const tenant of tenants) {
      writer.write(tenant);
      done++;
      options.onProgress?.(done, fleet.tenants, writer.bytesWritten);
    }
    writer.close(options.durable ?? false);
  } catch (e) {
    writer.abandon();
    await rm(tmp, { force: true });
    throw e;
  }
  await rename(tmp, dataFile);
  await writeManifest(dir, manifest);
  return { dir, dataFile, manifest, bytesWritten: writer.bytesWritten };
}
