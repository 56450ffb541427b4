// Fleet directories: Arrow round trip, CSV, manifest validation, and errors that name the file.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RecordBatchFileReader, tableFromIPC, Type } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { FleetFormatError } from '../src/errors.js';
import { fleetOptions, generateFleet } from '../src/fleet.js';
import { readFleet } from '../src/fleet-reader.js';
import { writeFleet } from '../src/fleet-writer.js';
import { CSV_HEADER } from '../src/fleet-writer-csv.js';
import { formatFloat32 } from '../src/float-format.js';
import { readManifest } from '../src/manifest.js';
import { METRICS } from '../src/series.js';
import { tempDir } from '../../../test-fixtures/temp-dirs.js';

const root = tempDir('workload-gen-test-');
afterAll(() => rmSync(root, { recursive: true, force: true }));
const FLEET = fleetOptions({ seed: 7, tenants: 5, days: 2, start: Date.UTC(2024, 0, 3) });

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('Arrow fleet', () => {
  const dir = join(root, 'arrow');
  it('write then read gives identical float32 values, ids and parameters', async () => {
    await writeFleet(dir, FLEET);
    const expected = [...generateFleet(FLEET)];
    const read = [];
    for await (const t of readFleet(dir)) read.push(t);
    expect(read.map((t) => t.id)).toEqual(expected.map((t) => t.id));
    for (let k = 0; k < expected.length; k++) {
      expect(read[k].params).toEqual(expected[k].params);
      expect(read[k].start).toBe(FLEET.start);
      expect(read[k].stepMs).toBe(FLEET.stepMs);
      for (const m of METRICS) expect(bits(read[k].metrics[m])).toEqual(bits(expected[k].metrics[m]));
    }
  });

  it('has the documented schema: dictionary tenant, UTC ms timestamps, float32 metrics, one batch per tenant', () => {
    const bytes = readFileSync(join(dir, 'fleet.arrow'));
    const reader = RecordBatchFileReader.from(bytes);
    reader.open();
    expect(reader.numRecordBatches).toBe(FLEET.tenants);
    expect(reader.numDictionaries).toBe(1); // written once: the IPC file format forbids replacements
    const table = tableFromIPC(bytes);
    const type = (name: string) => table.schema.fields.find((f) => f.name === name)!.type;
    expect(type('tenant').typeId).toBe(Type.Dictionary);
    expect(String(type('timestamp'))).toBe('Timestamp<MILLISECOND, UTC>');
    for (const m of METRICS) expect(String(type(m))).toBe('Float32');
    expect(table.numRows).toBe(FLEET.tenants * FLEET.length);
    expect(table.get(FLEET.length)!.tenant).toBe('t0001');
    expect(Number(table.get(1)!.timestamp)).toBe(FLEET.start + 60_000);
  });

  it('the manifest records seed, grid and every drawn parameter', async () => {
    const m = await readManifest(dir);
    expect(m).toMatchObject({
      seed: 7,
      startMs: FLEET.start,
      start: '2024-01-03T00:00:00.000Z',
      stepMs: 60_000,
      length: 2880,
      tenantCount: 5,
    });
    expect(Object.keys(m.tenants[0]).sort()).toEqual(
      [
        'alpha',
        'archetype',
        'arPhi',
        'base',
        'businessHours',
        'cpuNetRho',
        'diurnalAmp',
        'id',
        'index',
        'noiseSigma',
        'peakHour',
        'spikeDecayMinutes',
        'spikeMagMean',
        'spikesPerDay',
        'spikeWeight',
        'tier',
        'utcOffsetMinutes',
        'weeklyAmp',
      ].sort(),
    );
  });
});

describe('bad fleet files fail with the file and the field', () => {
  const copyFleet = async (name: string) => {
    const dir = join(root, name);
    await writeFleet(dir, fleetOptions({ seed: 1, tenants: 2, days: 1 }));
    return dir;
  };
  const editManifest = (dir: string, edit: (m: Record<string, any>) => void) => {
    const path = join(dir, 'manifest.json');
    const m = JSON.parse(readFileSync(path, 'utf8'));
    edit(m);
    writeFileSync(path, JSON.stringify(m));
  };
  const drain = async (dir: string) => {
    for await (const _ of readFleet(dir)) void _;
  };

  it('a wrong type in a tenant entry names manifest.json and the path to the field', async () => {
    const dir = await copyFleet('bad-field');
    editManifest(dir, (m) => (m.tenants[1].base.cpu = 'high'));
    await expect(readManifest(dir)).rejects.toThrow(/manifest\.json: invalid manifest: tenants\[1\]\.base\.cpu: /);
    await expect(readManifest(dir)).rejects.toBeInstanceOf(FleetFormatError);
  });

  it('an unknown archetype, then a count mismatch, are reported with their fields', async () => {
    const dir = await copyFleet('bad-archetype');
    editManifest(dir, (m) => (m.tenants[0].archetype = 'crypto-miner'));
    await expect(readManifest(dir)).rejects.toThrow(/tenants\[0\]\.archetype: Invalid option/);
    editManifest(dir, (m) => {
      m.tenants[0].archetype = 'idle-ish';
      m.tenantCount = 3;
    });
    await expect(readManifest(dir)).rejects.toThrow(/tenants: has 2 entries, tenantCount says 3/);
  });

  it('a manifest that is not JSON, or missing, says so', async () => {
    const dir = await copyFleet('not-json');
    writeFileSync(join(dir, 'manifest.json'), '{"format": ');
    await expect(readManifest(dir)).rejects.toThrow(/manifest\.json: not valid JSON/);
    await expect(readManifest(join(root, 'nowhere'))).rejects.toThrow(/manifest\.json: cannot read/);
  });

  it('a corrupt Arrow file names fleet.arrow', async () => {
    const dir = await copyFleet('corrupt-arrow');
    writeFileSync(join(dir, 'fleet.arrow'), Buffer.from('this is not arrow at all, just some text bytes'));
    await expect(drain(dir)).rejects.toThrow(/fleet\.arrow: not a readable Arrow IPC file/);
  });

  it('a truncated Arrow file names fleet.arrow', async () => {
    const dir = await copyFleet('truncated-arrow');
    const path = join(dir, 'fleet.arrow');
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length >> 1));
    await expect(drain(dir)).rejects.toThrow(/fleet\.arrow: /);
  });

  it('an Arrow file that does not match its manifest is rejected', async () => {
    const dir = await copyFleet('mismatch');
    editManifest(dir, (m) => {
      m.length = 100;
    });
    await expect(drain(dir)).rejects.toThrow(
      /fleet\.arrow: record batch 0 \(tenant t0000\) has 1440 rows, manifest length is 100/,
    );
  });
});

describe('CSV fleet', () => {
  it('long format with a header; every value reads back to the same float32', async () => {
    const dir = join(root, 'csv');
    const options = fleetOptions({ seed: 3, tenants: 3, days: 1 });
    await writeFleet(dir, options, { format: 'csv' });
    const lines = readFileSync(join(dir, 'fleet.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(CSV_HEADER);
    expect(lines[0]).toBe('tenant,timestamp,cpu,mem,net,disk');
    expect(lines.length).toBe(1 + 3 * 1440);
    const tenants = [...generateFleet(options)];
    for (let r = 1; r < lines.length; r++) {
      const [id, ts, ...values] = lines[r].split(',');
      const k = Math.floor((r - 1) / 1440);
      const i = (r - 1) % 1440;
      expect(id).toBe(tenants[k].id);
      expect(Date.parse(ts)).toBe(options.start + i * 60_000);
      METRICS.forEach((m, c) => expect(Math.fround(Number(values[c]))).toBe(tenants[k].metrics[m][i]));
    }
    expect((await readManifest(dir)).data).toEqual({ format: 'csv', file: 'fleet.csv' });
  });

  it('formatFloat32 prints the shortest text that round-trips, NaN as empty', () => {
    expect(formatFloat32(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat32(0)).toBe('0');
    expect(formatFloat32(NaN)).toBe('');
    const x = Math.fround(123.456789);
    expect(Math.fround(Number(formatFloat32(x)))).toBe(x);
  });
});
