/**
 * Ledger analytics: master_table.tsv read into a danfo.js DataFrame, and for every knob the mean
 * search metric of the experiments at each of its values, with counts — the "parameter
 * importance" view hyper-parameter tools give, computed from the ledger a person can also open
 * in pandas.
 *
 * What goes in: the candidates (every finished experiment with a metric but the two reference
 * seeds: the oracle's configs are picked in hindsight and the best fixed config is not a harness
 * config), each with its full assignment — a knob it leaves unset takes the template's default
 * (source/template.json). Only the SEARCH split's metric is in the ledger; confirmation numbers
 * never are. These are marginal means over what the planner chose to try, not a designed
 * experiment: a value tried only next to a good incumbent looks good by association.
 *
 * danfo.js is float32 inside and some of its operations are quadratic in the row count, so it is
 * fed at most KNOB_EFFECTS_MAX_ROWS experiments (the first in ledger order, which is the order
 * they finished) and the report says when the table was cut.
 */
import { z } from 'zod';
import { knobDefault, type Knob, type ParamSpace } from '../planners/index.js';
import { isReference } from './seed-roles.js';

/** The most experiments handed to danfo: ~1 s of groupby on 2 busy cores, and a table still readable. */
export const KNOB_EFFECTS_MAX_ROWS = 300;
/** Ledger columns the analysis needs (workflow/state/ledgers.ts writes them, among others). */
const NEEDED_COLUMNS = ['id', 'name', 'status', 'decision', 'metric', 'params'] as const;
/** What an unset knob shows as when the template's parameter space is unknown. */
export const UNSET_VALUE = '(unset)';

export interface KnobValueEffect {
  readonly value: string;
  /** Mean search metric of the experiments at this value. */
  readonly mean: number;
  readonly count: number;
  /** The lowest search metric at this value. */
  readonly min: number;
}

export interface KnobEffect {
  readonly knob: string;
  /** Largest minus smallest mean over the knob's values: how much the metric moved with it. */
  readonly spread: number;
  /** In the knob's own order (the template's values, or numeric / text order). */
  readonly values: readonly KnobValueEffect[];
}

export interface KnobEffects {
  /** Experiments analysed (at most KNOB_EFFECTS_MAX_ROWS). */
  readonly experiments: number;
  /** Candidates with a metric in the ledger, before the cap. */
  readonly available: number;
  /** Knobs that took at least two values, largest spread first. */
  readonly knobs: readonly KnobEffect[];
  /** Knobs that held one value in every analysed experiment: nothing to compare. */
  readonly constant: readonly string[];
  /** Mean metric over all analysed experiments (every knob's count-weighted means average to it). */
  readonly overallMean: number;
  /** Whether unset knobs took the template's defaults (false: they show as UNSET_VALUE). */
  readonly defaultsKnown: boolean;
}

/** One candidate row: its metric and its value of every knob, as text (a DataFrame column is one type). */
export interface LedgerRecord {
  readonly id: string;
  readonly metric: number;
  readonly knobs: Readonly<Record<string, string>>;
}

/**
 * The candidates of master_table.tsv with a metric, in ledger order, each with a value for every
 * knob. Columns are found by the header, so a column added later does not shift the others.
 */
export function candidateRecords(
  masterText: string,
  space: ParamSpace | undefined,
  referenceIds: ReadonlySet<string> = new Set(),
): { records: LedgerRecord[]; knobNames: string[] } {
  const [header, ...lines] = masterText.split('\n').filter((line) => line.length > 0);
  const columns = header?.split('\t') ?? [];
  if (!NEEDED_COLUMNS.every((column) => columns.includes(column))) return { records: [], knobNames: [] };
  const rows = lines.map((line) => {
    const cells = line.split('\t');
    return (name: (typeof NEEDED_COLUMNS)[number]): string => cells[columns.indexOf(name)] ?? '';
  });
  const parsed: Array<{ id: string; metric: number; params: Record<string, unknown> }> = [];
  for (const cell of rows) {
    const metric = cell('metric').trim() === '' ? NaN : Number(cell('metric'));
    if (cell('status') !== 'completed' || !['keep', 'discard'].includes(cell('decision')) || !Number.isFinite(metric))
      continue;
    const value = lenientJson(cell('params') || '{}');
    const params = typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};
    const id = cell('id');
    const name = cell('name') || id;
    // The ledger has no seed flag: the tree's references are passed in, and the workflow names
    // seed experiments seed-<kind>, which is enough when the tree is gone.
    const seed = id.startsWith('seed-');
    if (referenceIds.has(id) || isReference({ id, name, params: params as Record<string, unknown>, seed })) continue;
    parsed.push({ id, metric, params: params as Record<string, unknown> });
  }
  const knobNames = space ? Object.keys(space) : [...new Set(parsed.flatMap((row) => Object.keys(row.params)))].sort();
  const records = parsed.map(({ id, metric, params }) => ({
    id,
    metric,
    knobs: Object.fromEntries(
      knobNames.map((knob) => {
        const knobSpec = space?.[knob];
        const value = params[knob] ?? (knobSpec ? knobDefault(knobSpec) : undefined);
        return [knob, value === undefined ? UNSET_VALUE : String(value)];
      }),
    ),
  }));
  return { records, knobNames };
}

/** The per-knob effects of the ledger, or undefined when it holds no candidate with a metric. */
export async function knobEffects(
  masterText: string,
  space: ParamSpace | undefined,
  referenceIds: ReadonlySet<string> = new Set(),
): Promise<KnobEffects | undefined> {
  const { records: all, knobNames } = candidateRecords(masterText, space, referenceIds);
  if (all.length === 0) return undefined;
  const records = all.slice(0, KNOB_EFFECTS_MAX_ROWS);
  // Loaded on first use: importing danfo (and the tfjs it is built on) takes seconds.
  const dfd = await import('danfojs-node');
  const frame = new dfd.DataFrame(
    records.map((record) => ({ metric: record.metric, ...record.knobs })),
    { columns: ['metric', ...knobNames] },
  );
  const knobs: KnobEffect[] = [];
  const constant: string[] = [];
  for (const knob of knobNames) {
    const grouped = frame.groupby([knob]).agg({ metric: ['mean', 'count', 'min'] });
    const column = (name: string): unknown[] => grouped.column(name).values;
    const values = column(knob).map((value, i) => ({
      value: String(value),
      mean: float32Tidy(Number(column('metric_mean')[i])),
      count: Number(column('metric_count')[i]),
      min: float32Tidy(Number(column('metric_min')[i])),
    }));
    if (values.length < 2) {
      constant.push(knob);
      continue;
    }
    const ordered = orderValues(values, space?.[knob]);
    const means = ordered.map((entry) => entry.mean);
    knobs.push({ knob, spread: float32Tidy(Math.max(...means) - Math.min(...means)), values: ordered });
  }
  knobs.sort((a, b) => b.spread - a.spread || (a.knob < b.knob ? -1 : a.knob > b.knob ? 1 : 0));
  const overallMean = records.reduce((sum, record) => sum + record.metric, 0) / records.length;
  return {
    experiments: records.length,
    available: all.length,
    knobs,
    constant,
    overallMean,
    defaultsKnown: space !== undefined,
  };
}

/** Parsed JSON, or undefined (tree-input.ts's lenientJson; not imported: tree-input.ts imports this file). */
function lenientJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

// danfo computes in float32: 0.355961 comes back as 0.35596099495887756. Six significant digits
// is what float32 carries, and it makes the same ledger give the same report bytes.
function float32Tidy(x: number): number {
  return Number(x.toPrecision(6));
}

/** A choice knob's values in the template's order; numbers by value; other text alphabetically. */
function orderValues(values: KnobValueEffect[], knob: Knob | undefined): KnobValueEffect[] {
  const declared = knob?.kind === 'choice' ? knob.values.map(String) : [];
  const rank = (value: string): number => {
    const index = declared.indexOf(value);
    return index >= 0 ? index : declared.length;
  };
  const numeric = values.every((entry) => entry.value.trim() !== '' && Number.isFinite(Number(entry.value)));
  return [...values].sort((a, b) => {
    if (rank(a.value) !== rank(b.value)) return rank(a.value) - rank(b.value);
    if (numeric) return Number(a.value) - Number(b.value);
    return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  });
}

/**
 * The reader's twin of the template's knob schema (workflow/source/template.ts), kept apart on
 * purpose as tree-input.ts is: loose objects, so a template written by a newer or older runner
 * still gives a report, where the writer's side refuses any unknown field.
 */
const KnobSchema = z.union([
  z.looseObject({
    kind: z.literal('choice'),
    values: z.array(z.union([z.number(), z.string(), z.boolean()])).min(1),
    default: z.union([z.number(), z.string(), z.boolean()]).optional(),
  }),
  z.looseObject({
    kind: z.literal('range'),
    min: z.number(),
    max: z.number(),
    step: z.number().positive(),
    default: z.number().optional(),
  }),
]);

const TemplateSpaceSchema = z.looseObject({ paramSpace: z.record(z.string(), KnobSchema) });

/**
 * The parameter space of the workdir's template (source/template.json), read leniently: a report
 * without it still shows the knobs the ledger names, unset ones as UNSET_VALUE.
 */
export function paramSpaceFrom(templateText: string | undefined): ParamSpace | undefined {
  const parsed = TemplateSpaceSchema.safeParse(lenientJson(templateText));
  return parsed.success ? parsed.data.paramSpace : undefined;
}
