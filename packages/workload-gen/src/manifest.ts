/**
 * manifest.json: how a fleet was made (seed, grid) and every tenant's drawn parameters, so the
 * data file can be checked against it and regenerated from it. Validated with zod on read.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ARCHETYPE_NAMES } from './archetypes.js';
import { FleetFormatError } from './errors.js';
import type { FleetOptions } from './fleet.js';
import { METRICS } from './series.js';
import type { TenantParams } from './tenant-params.js';
import { TIER_NAMES, TIER_SHARE } from './tiers.js';

export const MANIFEST_FILE = 'manifest.json';
export const ARROW_FILE = 'fleet.arrow';
export const CSV_FILE = 'fleet.csv';
export const MANIFEST_FORMAT = 'tsfm-workload-fleet';
export const MANIFEST_VERSION = 1;

export type FleetDataFormat = 'arrow' | 'csv';

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const perMetric = z.object({ cpu: finite, mem: finite, net: finite, disk: finite }).strict();

export const tenantParamsSchema = z
  .object({
    id: z.string().min(1),
    index: z.number().int().nonnegative(),
    archetype: z.enum(ARCHETYPE_NAMES),
    tier: z.enum(TIER_NAMES),
    alpha: finite.refine((a) => a > 0 && a < 1, 'must be in (0, 1)'),
    utcOffsetMinutes: z.number().int(),
    diurnalAmp: finite,
    peakHour: finite.nullable(),
    businessHours: z
      .object({ startHour: finite, endHour: finite, inHours: finite, offHours: finite })
      .strict()
      .nullable(),
    weeklyAmp: finite,
    noiseSigma: finite.nonnegative(),
    arPhi: finite.refine((p) => p > -1 && p < 1, 'must be in (−1, 1)'),
    spikesPerDay: finite.nonnegative(),
    spikeMagMean: finite.nonnegative(),
    spikeDecayMinutes: finite.positive().nullable(),
    base: perMetric,
    cpuNetRho: finite.refine((r) => r >= 0 && r <= 1, 'must be in [0, 1]'),
    spikeWeight: perMetric,
  })
  .strict();

export const manifestSchema = z
  .object({
    format: z.literal(MANIFEST_FORMAT),
    version: z.literal(MANIFEST_VERSION),
    generator: z.string(),
    seed: z.number().int().nonnegative(),
    start: z.iso.datetime(),
    startMs: z.number().int(),
    stepMs: z.number().int().positive(),
    length: z.number().int().positive(),
    tenantCount: z.number().int().nonnegative(),
    utcOffsetsMinutes: z.array(z.number().int()).min(1),
    metrics: z.array(z.enum(METRICS)),
    tierShare: z.record(z.enum(TIER_NAMES), finite),
    data: z.object({ format: z.enum(['arrow', 'csv']), file: z.string().min(1) }).strict(),
    tenants: z.array(tenantParamsSchema),
  })
  .strict()
  .superRefine((m, ctx) => {
    if (Date.parse(m.start) !== m.startMs) {
      ctx.addIssue({ code: 'custom', path: ['startMs'], message: `does not match start ${m.start}` });
    }
    if (m.tenants.length !== m.tenantCount) {
      ctx.addIssue({
        code: 'custom',
        path: ['tenants'],
        message: `has ${m.tenants.length} entries, tenantCount says ${m.tenantCount}`,
      });
    }
    const seen = new Set<string>();
    m.tenants.forEach((t, i) => {
      if (seen.has(t.id))
        ctx.addIssue({ code: 'custom', path: ['tenants', i, 'id'], message: `duplicate tenant id "${t.id}"` });
      seen.add(t.id);
    });
  });

export type FleetManifest = z.infer<typeof manifestSchema>;

// Compile-time guard: the schema and the TenantParams interface must describe the same object.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const paramsMatchSchema: Same<DeepMutable<TenantParams>, z.infer<typeof tenantParamsSchema>> = true;
void paramsMatchSchema;
type DeepMutable<T> = T extends object ? { -readonly [K in keyof T]: DeepMutable<T[K]> } : T;

export function buildManifest(
  options: FleetOptions,
  tenants: readonly TenantParams[],
  format: FleetDataFormat,
): FleetManifest {
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    generator: '@tsfm/workload-gen',
    seed: options.seed,
    start: new Date(options.start).toISOString(),
    startMs: options.start,
    stepMs: options.stepMs,
    length: options.length,
    tenantCount: options.tenants,
    utcOffsetsMinutes: [...(options.utcOffsetsMinutes ?? [0])],
    metrics: [...METRICS],
    tierShare: { ...TIER_SHARE },
    data: { format, file: format === 'arrow' ? ARROW_FILE : CSV_FILE },
    tenants: tenants as FleetManifest['tenants'],
  };
}

/** Write manifest.json atomically (temp file + rename), so a reader never sees half of one. */
export async function writeManifest(dir: string, manifest: FleetManifest): Promise<void> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, MANIFEST_FILE);
  await writeFile(`${path}.tmp`, `${JSON.stringify(manifest, null, 1)}\n`);
  await rename(`${path}.tmp`, path);
}

/** Read and validate `<dir>/manifest.json`; errors name the file and the offending field. */
export async function readManifest(dir: string): Promise<FleetManifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new FleetFormatError(path, `cannot read (${(e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FleetFormatError(path, `not valid JSON (${(e as Error).message})`);
  }
  return parseManifest(json, path);
}

export function parseManifest(json: unknown, file = MANIFEST_FILE): FleetManifest {
  const result = manifestSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 5)
      .map((i) => `${formatPath(i.path)}: ${i.message}`)
      .join('; ');
    const more = result.error.issues.length > 5 ? ` (+${result.error.issues.length - 5} more)` : '';
    throw new FleetFormatError(file, `invalid manifest: ${issues}${more}`);
  }
  return result.data;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}
