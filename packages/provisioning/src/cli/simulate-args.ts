/**
 * Flags of the replay simulator, validated with zod so a bad value names its flag.
 */
import { parseArgs } from 'node:util';
import { VALIDATION_PLACEMENTS } from '@tsfm/harness';
import { z } from 'zod';

export const USAGE = `Usage: npx tsx packages/provisioning/src/cli/simulate.ts [options]

Replays tenants minute by minute: every --every minutes each policy decides capacity for the next
--horizon minutes; the minutes until the next decision are scored (slack, violation rate,
shortfall, cost). Writes tables, JSON and slack-vs-violation frontier charts to --out.

Data
  --fleet DIR          synthetic fleet (workload-gen Arrow) (default workdirs/demo/fleet; "none" to skip)
  --tenants N          first N tenants of the fleet (default 100)
  --per-tier N         instead: the first N tenants of each tier, interleaved premium, standard, basic, …
                       (so the sweep's first tenants cover every tier)
  --metrics LIST       fleet metrics to replay, comma-separated (default cpu)
  --nab DIR            folder of NAB timestamp,value CSVs (default ../shared/data/nab; "none" to skip)
  --nab-tier T         tier (α and cost ratio) given to NAB series (default standard)
  --days D             replay the last D days of each trace; earlier data is history (default 7)
Policies
  --policies LIST      any of harness,harness+recommender,fixed-config,vpa,crane,reactive (the default: all
                       six) and harness-no-online (the harness without its per-tenant online offset)
  --sweep LIST         α values for the harness and fixed-config frontiers (default 0.5,0.65,0.75,0.9,0.95; "none" to skip)
  --sweep-tenants N    fleet tenants the sweep runs on (default 20; NAB: all series)
  --confidence-floors LIST  also run harness+recommender at each of these confidence floors
                       (e.g. 0.25,0.7: how the floor moves slack and violations; default none)
  --every M            minutes between decisions (default 5)
  --horizon M          minutes a decision must cover (default 15)
  --k K                harness configs per request (default 32)
  --budget-ms MS       harness latency budget (default 60000; the harness runs in its 'measure' mode, so K
                       never depends on timing either way)
  --validation-placement tail|same-time|tail+same-time
                       where the harness's validation windows sit (default: the harness's own)
  --same-time-days LIST  days back of the same-time windows, e.g. 1,7 (default: the harness's own)
Costs
  --c-over X           cost of one unit of idle capacity for one minute (default 1)
  --c-under X          cost of one unit of unserved demand for one minute. Default: per tenant,
                       c_over · α/(1 − α) with α its tier's (premium 9, standard 3, basic 1.86 × c_over).
                       Given: every tenant gets this ratio, and the TSFM policies α = c_under/(c_under + c_over).
Model
  --model PATH         model manifest (default packages/pretrain/model/model.json)
  --random-model       use a random-weight model of the default architecture (development only;
                       every output says so)
Output
  --out DIR            (default out/simulate)
  --help`;

const positive = (flag: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?(e[+-]?\d+)?$/i, `${flag} must be a positive number`)
    .transform(Number)
    .refine((n) => n > 0 && Number.isFinite(n), `${flag} must be a positive number`);
const int = (flag: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `${flag} must be an integer`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${flag} must be between ${min} and ${max}`);
const list = (flag: string) =>
  z
    .string()
    .transform((s) =>
      s === 'none'
        ? []
        : s
            .split(',')
            .map((x) => x.trim())
            .filter((x) => x !== ''),
    )
    .refine((a) => new Set(a).size === a.length, `${flag} lists a value twice`);

export const POLICY_NAMES = [
  'harness',
  'harness+recommender',
  'fixed-config',
  'vpa',
  'crane',
  'reactive',
  'harness-no-online',
] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];
/** The policies a plain run replays: every one but the online-offset ablation. */
export const DEFAULT_POLICIES: readonly PolicyName[] = POLICY_NAMES.filter((p) => p !== 'harness-no-online');
const TIER_NAMES = ['premium', 'standard', 'basic'] as const;
/** The harness's bound on sameTimeDays (its request schema re-checks every request). */
const MAX_SAME_TIME_DAY = 56;

const schema = z
  .object({
    fleet: z.string().min(1).default('workdirs/demo/fleet'),
    tenants: int('--tenants', 1, 1_000_000).default(100),
    'per-tier': int('--per-tier', 1, 1_000_000).optional(),
    metrics: list('--metrics').default(['cpu']),
    nab: z.string().min(1).default('../shared/data/nab'),
    'nab-tier': z.enum(TIER_NAMES, { error: `--nab-tier must be one of ${TIER_NAMES.join(', ')}` }).default('standard'),
    days: positive('--days').default(7),
    policies: list('--policies')
      .refine(
        (a) => a.every((p) => (POLICY_NAMES as readonly string[]).includes(p)),
        `--policies: each must be one of ${POLICY_NAMES.join(', ')}`,
      )
      .transform((a) => a as PolicyName[])
      .default([...DEFAULT_POLICIES]),
    sweep: list('--sweep')
      .transform((a) => a.map(Number))
      .refine((a) => a.every((x) => x > 0 && x < 1), '--sweep: every α must be in (0, 1)')
      .default([0.5, 0.65, 0.75, 0.9, 0.95]),
    'sweep-tenants': int('--sweep-tenants', 0, 1_000_000).default(20),
    'confidence-floors': list('--confidence-floors')
      .transform((a) => a.map(Number))
      .refine((a) => a.every((x) => x >= 0 && x <= 1), '--confidence-floors: every floor must be in [0, 1]')
      .default([]),
    every: int('--every', 1, 1440).default(5),
    horizon: int('--horizon', 1, 1440).default(15),
    k: int('--k', 1, 4096).default(32),
    'budget-ms': positive('--budget-ms').default(60_000),
    // Absent: the harness's own defaults (so a change of default reaches the replay).
    'validation-placement': z
      .enum(VALIDATION_PLACEMENTS, {
        error: `--validation-placement must be one of ${VALIDATION_PLACEMENTS.join(', ')}`,
      })
      .optional(),
    'same-time-days': list('--same-time-days')
      .transform((a) => a.map(Number))
      .refine(
        (a) => a.length >= 1 && a.every((d) => Number.isInteger(d) && d >= 1 && d <= MAX_SAME_TIME_DAY),
        `--same-time-days: whole days 1–${MAX_SAME_TIME_DAY}, comma-separated`,
      )
      .optional(),
    'c-over': positive('--c-over').default(1),
    'c-under': positive('--c-under').optional(),
    model: z.string().min(1).default('packages/pretrain/model/model.json'),
    'random-model': z.boolean().default(false),
    out: z.string().min(1).default('out/simulate'),
    help: z.boolean().default(false),
  })
  .refine((o) => o.horizon >= o.every, {
    error: '--horizon must be at least --every (a decision must cover the minutes until the next one)',
    path: ['horizon'],
  });

export type SimulateArgs = z.output<typeof schema>;

export function parseSimulateArgs(argv: readonly string[]): SimulateArgs {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      fleet: { type: 'string' },
      tenants: { type: 'string' },
      'per-tier': { type: 'string' },
      metrics: { type: 'string' },
      nab: { type: 'string' },
      'nab-tier': { type: 'string' },
      days: { type: 'string' },
      policies: { type: 'string' },
      sweep: { type: 'string' },
      'sweep-tenants': { type: 'string' },
      'confidence-floors': { type: 'string' },
      every: { type: 'string' },
      horizon: { type: 'string' },
      k: { type: 'string' },
      'budget-ms': { type: 'string' },
      'validation-placement': { type: 'string' },
      'same-time-days': { type: 'string' },
      'c-over': { type: 'string' },
      'c-under': { type: 'string' },
      model: { type: 'string' },
      'random-model': { type: 'boolean' },
      out: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const parsed = schema.safeParse(values);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('\n'));
  return parsed.data;
}
