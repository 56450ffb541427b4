/**
 * Reading a fleet back: manifest first (validated), then the Arrow file one record batch at a
 * time through a file handle, so memory stays at one tenant whatever the fleet size. Every
 * batch is checked against the manifest (tenant order, row count, grid); errors name the file.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { RecordBatchReader, Type, type RecordBatch, type Schema, type Vector } from 'apache-arrow';
import { FleetFormatError } from './errors.js';
import { readManifest, type FleetManifest } from './manifest.js';
import { METRICS, type Tenant } from './series.js';
import type { TenantParams } from './tenant-params.js';

export interface FleetTenant extends Tenant {
  /** The tenant's manifest entry. */
  readonly params: TenantParams;
}

/** Yield the tenants of the fleet in `dir`, in manifest order, reading one batch at a time. */
export async function* readFleet(dir: string): AsyncGenerator<FleetTenant> {
  const manifest = await readManifest(dir);
  if (manifest.data.format !== 'arrow') {
    throw new FleetFormatError(
      join(dir, 'manifest.json'),
      `data.format is "${manifest.data.format}"; readFleet reads Arrow fleets only`,
    );
  }
  yield* readFleetArrow(join(dir, manifest.data.file), manifest);
}

export async function* readFleetArrow(path: string, manifest: FleetManifest): AsyncGenerator<FleetTenant> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw new FleetFormatError(path, `cannot open (${(e as Error).message})`);
  }
  try {
    let reader;
    try {
      reader = await RecordBatchReader.from(handle);
      await reader.open();
    } catch (e) {
      throw new FleetFormatError(path, `not a readable Arrow IPC file (${(e as Error).message})`);
    }
    if (!reader.isFile()) throw new FleetFormatError(path, 'is an Arrow stream, expected an Arrow IPC file');
    checkSchema(path, reader.schema);
    if (reader.numRecordBatches !== manifest.tenants.length) {
      throw new FleetFormatError(
        path,
        `has ${reader.numRecordBatches} record batches, manifest lists ${manifest.tenants.length} tenants`,
      );
    }
    let k = 0;
    const batches = reader[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<RecordBatch>;
      try {
        next = await batches.next();
      } catch (e) {
        throw new FleetFormatError(path, `record batch ${k} is unreadable (${(e as Error).message})`);
      }
      if (next.done) break;
      yield tenantFromBatch(path, next.value, k, manifest);
      k++;
    }
  } finally {
    await handle.close();
  }
}

function checkSchema(path: string, schema: Schema): void {
  const expect: [string, (t: { typeId: Type }) => boolean, string][] = [
    ['tenant', (t) => t.typeId === Type.Dictionary || t.typeId === Type.Utf8, 'dictionary<utf8> or utf8'],
    ['timestamp', (t) => t.typeId === Type.Timestamp, 'timestamp[ms]'],
    ...METRICS.map((m): [string, (t: { typeId: Type }) => boolean, string] => [
      m,
      (t) => t.typeId === Type.Float,
      'float32',
    ]),
  ];
  for (const [name, ok, want] of expect) {
    const field = schema.fields.find((f) => f.name === name);
    if (!field)
      throw new FleetFormatError(
        path,
        `missing column "${name}" (columns: ${schema.fields.map((f) => f.name).join(', ')})`,
      );
    if (!ok(field.type))
      throw new FleetFormatError(path, `column "${name}" has type ${String(field.type)}, expected ${want}`);
  }
}

function tenantFromBatch(path: string, batch: RecordBatch, k: number, manifest: FleetManifest): FleetTenant {
  const params = manifest.tenants[k];
  const where = `record batch ${k} (tenant ${params.id})`;
  if (batch.numRows !== manifest.length) {
    throw new FleetFormatError(path, `${where} has ${batch.numRows} rows, manifest length is ${manifest.length}`);
  }
  const tenantColumn = columnOf(batch, 'tenant', path, where);
  const first = tenantColumn.get(0);
  const last = tenantColumn.get(batch.numRows - 1);
  if (first !== params.id || last !== params.id) {
    throw new FleetFormatError(
      path,
      `${where} holds tenant "${String(first)}", expected "${params.id}" (manifest order)`,
    );
  }
  const ts = columnOf(batch, 'timestamp', path, where);
  const t0 = Number(ts.get(0) as bigint | number);
  const tEnd = Number(ts.get(batch.numRows - 1) as bigint | number);
  if (t0 !== manifest.startMs || tEnd !== manifest.startMs + (manifest.length - 1) * manifest.stepMs) {
    throw new FleetFormatError(
      path,
      `${where} timestamps ${t0}…${tEnd} are off the manifest grid (start ${manifest.startMs}, step ${manifest.stepMs})`,
    );
  }
  const metrics: Record<string, Float32Array> = {};
  for (const m of METRICS) {
    const column = columnOf(batch, m, path, where);
    const values = column.toArray();
    if (!(values instanceof Float32Array)) throw new FleetFormatError(path, `${where} column "${m}" is not float32`);
    metrics[m] = values.slice(); // own copy: the batch's buffer is released with the batch
  }
  return { id: params.id, start: manifest.startMs, stepMs: manifest.stepMs, metrics, params };
}

function columnOf(batch: RecordBatch, name: string, path: string, where: string): Vector {
  const column = batch.getChild(name);
  if (column === null) throw new FleetFormatError(path, `${where} has no "${name}" column`);
  return column;
}
