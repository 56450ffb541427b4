/**
 * Command-line options of workload-gen, validated with zod so a bad value gets a message that
 * names the flag and says what is accepted.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { parseUtcStart } from '../calendar.js';
import { CORPUS_SEED_BASE } from '../seed-domains.js';

export const USAGE = `Usage: npx tsx packages/workload-gen/src/cli/workload-gen.ts --out <dir> [options]

  --tenants N         tenants in the fleet (default 1000)
  --days D            days of data (default 30)
  --seed S            fleet seed, integer in [0, ${CORPUS_SEED_BASE}) (default 42)
  --out DIR           output directory (fleet.arrow or fleet.csv, and manifest.json)
  --format F          arrow | csv (default arrow)
  --start DATE        first timestamp, YYYY-MM-DD or ISO-8601, UTC (default 2024-01-01)
  --step-minutes M    grid step in minutes (default 1)
  --utc-offsets LIST  comma-separated local-time offsets in minutes that tenants draw from
                      (default 0: every tenant on UTC)
  --workers W         worker threads generating tenants; 0 = main thread (default 0)
  --help              this text`;

const intFlag = (flag: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^-?\d+$/, `${flag} must be an integer`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${flag} must be between ${min} and ${max}`);

const cliSchema = z
  .object({
    tenants: intFlag('--tenants', 1, 1_000_000).default(1000),
    days: z
      .string()
      .regex(/^\d+(\.\d+)?$/, '--days must be a positive number')
      .transform(Number)
      .refine((d) => d > 0 && d <= 3660, '--days must be in (0, 3660]')
      .default(30),
    seed: intFlag('--seed', 0, CORPUS_SEED_BASE - 1).default(42),
    out: z.string({ error: '--out <dir> is required' }).min(1, '--out must not be empty'),
    format: z.enum(['arrow', 'csv'], { error: '--format must be arrow or csv' }).default('arrow'),
    start: z
      .string()
      .transform((s, ctx) => {
        try {
          return parseUtcStart(s);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: `--start: ${(e as Error).message}` });
          return z.NEVER;
        }
      })
      .default(Date.UTC(2024, 0, 1)),
    'step-minutes': intFlag('--step-minutes', 1, 1440).default(1),
    'utc-offsets': z
      .string()
      .regex(/^-?\d+(,-?\d+)*$/, '--utc-offsets must be comma-separated integers (minutes)')
      .transform((s) => s.split(',').map(Number))
      .refine((a) => a.every((m) => Math.abs(m) <= 840), '--utc-offsets must be within ±840 minutes')
      .optional(),
    workers: intFlag('--workers', 0, 64).default(0),
  })
  .refine((o) => Number.isInteger((o.days * 1440) / o['step-minutes']), {
    message: '--days must be a whole number of --step-minutes steps',
    path: ['days'],
  });

export type CliOptions = z.output<typeof cliSchema>;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parse argv (without node and script); throws UsageError with every problem listed. */
export function parseCli(argv: readonly string[]): CliOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        tenants: { type: 'string' },
        days: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
        format: { type: 'string' },
        start: { type: 'string' },
        'step-minutes': { type: 'string' },
        'utc-offsets': { type: 'string' },
        workers: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return 'help';
  const { help: _help, ...rest } = values;
  const result = cliSchema.safeParse(rest);
  if (!result.success) throw new UsageError(result.error.issues.map((i) => i.message).join('\n'));
  return result.data;
}
