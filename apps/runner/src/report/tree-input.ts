/**
 * Everything the outputs are made from, read from durable workdir files and nothing else (no
 * clock, no lock, no process table), so the same workdir always gives the same bytes.
 *
 * `engine/tree.json` is the workflow adapter's contract with us. It is validated field by field
 * (an error names the field, like every other workdir file) but objects are loose: the adapter
 * may add fields without breaking the report. The other files are optional and read leniently:
 * a report is still worth writing when config.json or a ledger is missing or odd.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { WORK_SPEC_ID_PATTERN } from '../core/work-spec.js';
import { parseJsonText, WorkdirFileError } from '../workdir/file-errors.js';
import { workdirPaths, type WorkdirPaths } from '../workdir/paths.js';
import { knobEffects, paramSpaceFrom, type KnobEffects } from './knob-effects.js';
import { isReference } from './seed-roles.js';

export const NODE_STATUSES = [
  'queued',
  'preparing',
  'running',
  'analyzing',
  'completed',
  'failed',
  'cancelled',
] as const;
export const NODE_DECISIONS = ['keep', 'discard', 'crash', 'cancelled'] as const;

const timestamp = z.string().nullable();

/**
 * The reader's twin of the writer's schema (workflow/state/tree-schema.ts), kept apart on purpose:
 * loose objects, any string for seedKind, optional newer fields, so an older or newer tree still
 * gives a report. The status and decision lists are shared.
 */
export const TreeNodeSchema = z.looseObject({
  id: z.string().min(1),
  parent: z.string().min(1).nullable(),
  name: z.string(),
  hypothesis: z.string(),
  params: z.record(z.string(), z.unknown()),
  patch: z.string().nullable(),
  status: z.enum(NODE_STATUSES),
  decision: z.enum(NODE_DECISIONS).nullable(),
  // z.number() refuses NaN and ±Infinity, which would poison every min() downstream.
  metric: z.number().nullable(),
  latencyMsP99: z.number().nullable(),
  commit: z.string().nullable(),
  seed: z.boolean(),
  /** Which reference a seed is (workflow/state/tree-schema.ts); any string, so a new kind does not break the report. */
  seedKind: z.string().nullable().optional(),
  createdAt: timestamp,
  startedAt: timestamp,
  finishedAt: timestamp,
  error: z.string().nullable(),
  /** Fields a newer workflow writes (workflow/state/tree-schema.ts); absent in older trees. */
  decisionReason: z.string().nullable().optional(),
  metricHalfWidth: z.number().nullable().optional(),
  decisionHalfWidth: z.number().nullable().optional(),
  budgetMs: z.number().nullable().optional(),
  overBudget: z.number().nullable().optional(),
  cpuS: z.number().nullable().optional(),
});

export type TreeNode = z.infer<typeof TreeNodeSchema>;

/**
 * engine/confirmation.json (workflow/confirmation.ts): the seeds and the best scored on the
 * confirmation split after the search. Read leniently: without it the columns say "not yet".
 */
const ConfirmationEntrySchema = z.looseObject({
  id: z.string(),
  role: z.string(),
  metric: z.number().nullable(),
  halfWidth: z.number().nullable().optional(),
  latencyMsP99: z.number().nullable().optional(),
  overBudget: z.number().nullable().optional(),
  tenants: z.number().optional(),
  error: z.string().nullable().optional(),
});

const ComparisonSchema = z.looseObject({ against: z.string(), change: z.number(), lo: z.number(), hi: z.number() });

const ConfirmationSchema = z.looseObject({
  updatedAt: z.string().optional(),
  bestId: z.string().nullable(),
  entries: z.array(ConfirmationEntrySchema),
  verdict: z
    .looseObject({
      bestId: z.string(),
      sentence: z.string(),
      bestFixed: ComparisonSchema.nullable().optional(),
      harnessDefault: ComparisonSchema.nullable().optional(),
    })
    .nullable(),
});

export type Confirmation = z.infer<typeof ConfirmationSchema>;
export type ConfirmationEntry = Confirmation['entries'][number];

export const TreeSchema = z.array(TreeNodeSchema);

/** The part of config.json a report shows; every field optional so an older or newer file still reads. */
const ReportConfigSchema = z.looseObject({
  program: z.string().nullable().optional(),
  planner: z.string().optional(),
  model: z.string().nullable().optional(),
  maxExperiments: z.number().optional(),
  maxHours: z.number().optional(),
  maxDollars: z.number().optional(),
  patience: z.number().optional(),
  concurrency: z.number().optional(),
  launch: z.string().optional(),
  jobTimeoutS: z.number().optional(),
  createdAt: z.string().optional(),
  overrides: z.array(z.unknown()).optional(),
});

export type ReportConfig = z.infer<typeof ReportConfigSchema>;

/** One results.tsv row; `metric` is null for crash rows, whose cell is empty. */
export interface LedgerRow {
  readonly commit: string;
  readonly metric: number | null;
  readonly latency: string;
  readonly status: string;
  readonly description: string;
}

export interface PlannerSpend {
  /** Calls logged in logs/planner-calls.jsonl; undefined when only engine_state.json's total is known. */
  readonly calls: number | undefined;
  /** Every logged call: planning, analyses and report syntheses. */
  readonly dollars: number;
  /** Of which report syntheses (calls logged with purpose "synthesis"). */
  readonly synthesisDollars: number;
  /** Everything but the syntheses: what the synthesis itself is shown (see synthesisView). */
  readonly otherDollars: number;
  /** Planning rounds recorded in engine_state.json. */
  readonly rounds: number | undefined;
}

export interface ReportInputs {
  readonly paths: WorkdirPaths;
  /** Tree order as written; every consumer sorts for itself. */
  readonly nodes: readonly TreeNode[];
  readonly treeFound: boolean;
  readonly config: ReportConfig | undefined;
  /** The first lines of the program file, which states the research question. */
  readonly program: { readonly path: string; readonly text: string } | undefined;
  readonly engineStatus: string | undefined;
  readonly stopReason: string | undefined;
  readonly ledger: readonly LedgerRow[] | undefined;
  readonly masterTableRows: number | undefined;
  /** Mean search metric per knob value, from master_table.tsv through danfo (knob-effects.ts). */
  readonly knobEffects: KnobEffects | undefined;
  /** runs/<id>/analysis.md by node id, for the nodes that have one. */
  readonly analyses: ReadonlyMap<string, string>;
  readonly plannerSpend: PlannerSpend | undefined;
  /**
   * The offline planner's seed (workflow.json `offlineSeed`; 0 when the file or field is absent, the
   * workflow's default): with the offline planner, which of its deterministic searches this run was.
   */
  readonly offlineSeed: number;
  /** Files under logs/, sorted, relative to the workdir. */
  readonly logFiles: readonly string[];
  /** The confirmation split's results, once the run has scored them; never shown to a planner. */
  readonly confirmation: Confirmation | undefined;
}

/** Where a generated synthesis is kept with the report text it was made from (see write-outputs.ts). */
export const SYNTHESIS_CACHE_NAME = 'report-synthesis.json';

export function treeFile(paths: WorkdirPaths): string {
  return join(paths.engineDir, 'tree.json');
}

export async function readReportInputs(workdir: string): Promise<ReportInputs> {
  const paths = workdirPaths(workdir);
  const treeText = await readOptional(treeFile(paths));
  const nodes = treeText === undefined ? [] : parseTree(treeText);
  const config = lenient(ReportConfigSchema, await readOptional(paths.config));
  const checkpoint = lenientJson(await readOptional(paths.checkpoint));
  const engineState = lenientJson(await readOptional(join(paths.engineDir, 'engine_state.json')));
  const resultsText = await readOptional(paths.results);
  const masterText = await readOptional(paths.masterTable);
  return {
    paths,
    nodes,
    treeFound: treeText !== undefined,
    config,
    program: await readProgram(paths, config),
    engineStatus: stringField(checkpoint, 'status'),
    stopReason: stopReasonFrom(engineState) ?? stringField(checkpoint, 'stopReason'),
    ledger: resultsText === undefined ? undefined : parseResultsTsv(resultsText),
    masterTableRows:
      masterText === undefined
        ? undefined
        : Math.max(0, masterText.split('\n').filter((line) => line.length > 0).length - 1),
    knobEffects:
      masterText === undefined
        ? undefined
        : await knobEffects(
            masterText,
            paramSpaceFrom(await readOptional(join(paths.root, 'source', 'template.json'))),
            new Set(nodes.filter(isReference).map((node) => node.id)),
          ),
    analyses: await readAnalyses(paths, nodes),
    plannerSpend: plannerSpendFrom(await readOptional(join(paths.logsDir, 'planner-calls.jsonl')), engineState),
    offlineSeed:
      lenient(z.looseObject({ offlineSeed: z.number().int() }), await readOptional(join(paths.root, 'workflow.json')))
        ?.offlineSeed ?? 0,
    logFiles: await listLogs(paths),
    confirmation: lenient(ConfirmationSchema, await readOptional(join(paths.engineDir, 'confirmation.json'))),
  };
}

/** The confirmation entry of a node, if it was confirmed. */
export function confirmationOf(inputs: Pick<ReportInputs, 'confirmation'>, id: string): ConfirmationEntry | undefined {
  return inputs.confirmation?.entries.find((entry) => entry.id === id);
}

const TREE_ADVICE = 'The outputs were not written: the workflow adapter wrote a tree this report does not understand.';

export function parseTree(text: string): TreeNode[] {
  const nodes = parseJsonText(text, TreeSchema, 'engine/tree.json', TREE_ADVICE);
  // Ids key everything downstream (parents, paths, run folders); a repeated one has no single meaning.
  const seen = new Set<string>();
  const problems: string[] = [];
  nodes.forEach((node, index) => {
    if (seen.has(node.id)) problems.push(`[${index}].id: ${JSON.stringify(node.id)} appears more than once`);
    seen.add(node.id);
  });
  if (problems.length > 0) throw new WorkdirFileError('engine/tree.json', problems, TREE_ADVICE);
  return nodes;
}

/** results.tsv by its header, so a column added later does not shift the others. */
export function parseResultsTsv(text: string): LedgerRow[] {
  const [header, ...lines] = text.split('\n').filter((line) => line.length > 0);
  if (header === undefined) return [];
  const columns = header.split('\t');
  return lines.map((line) => {
    const cells = line.split('\t');
    const cell = (name: string): string => cells[columns.indexOf(name)] ?? '';
    const metricCell = cell('metric').trim();
    const metric = metricCell === '' ? null : Number(metricCell);
    return {
      commit: cell('commit'),
      metric: metric !== null && Number.isFinite(metric) ? metric : null,
      latency: cell('latency'),
      status: cell('status'),
      description: cell('description'),
    };
  });
}

/** The file's text, or undefined when it does not exist (other errors propagate). */
export async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Parsed JSON, or undefined for a missing or unparseable text: reports tolerate broken inputs. */
export function lenientJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function lenient<S extends z.ZodType>(schema: S, text: string | undefined): z.infer<S> | undefined {
  const parsed = schema.safeParse(lenientJson(text));
  return parsed.success ? parsed.data : undefined;
}

function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' && field.length > 0 ? field : undefined;
}

/** engine_state.json (workflow/state/engine-state.ts): `stop: {reason, detail}` says most, `stopReason` less. */
function stopReasonFrom(state: unknown): string | undefined {
  const stop = typeof state === 'object' && state !== null ? (state as Record<string, unknown>)['stop'] : undefined;
  const reason = stringField(stop, 'reason');
  const detail = stringField(stop, 'detail');
  if (reason && detail) return `${reason}: ${detail}`;
  return reason ?? detail ?? stringField(state, 'stopReason');
}

const PROGRAM_EXCERPT_LINES = 25;

async function readProgram(paths: WorkdirPaths, config: ReportConfig | undefined): Promise<ReportInputs['program']> {
  const path = config?.program ?? 'program.md';
  const text = await readOptional(resolve(paths.root, path)).catch(() => undefined);
  if (text === undefined) return undefined;
  return { path, text: text.split('\n').slice(0, PROGRAM_EXCERPT_LINES).join('\n').trimEnd() };
}

async function readAnalyses(paths: WorkdirPaths, nodes: readonly TreeNode[]): Promise<Map<string, string>> {
  const analyses = new Map<string, string>();
  for (const node of nodes) {
    // Ids become path segments here; one that could climb out of runs/ is simply not looked up.
    if (!WORK_SPEC_ID_PATTERN.test(node.id)) continue;
    const text = await readOptional(join(paths.root, 'runs', node.id, 'analysis.md')).catch(() => undefined);
    if (text !== undefined && text.trim().length > 0) analyses.set(node.id, text.trimEnd());
  }
  return analyses;
}

function plannerSpendFrom(callLog: string | undefined, engineState: unknown): PlannerSpend | undefined {
  const state = typeof engineState === 'object' && engineState !== null ? (engineState as Record<string, unknown>) : {};
  const rounds = Array.isArray(state['rounds']) ? state['rounds'].length : undefined;
  const stateDollars = typeof state['plannerDollars'] === 'number' ? state['plannerDollars'] : undefined;
  let calls: number | undefined;
  let logDollars = 0;
  let synthesisDollars = 0;
  let otherDollars = 0;
  for (const line of callLog?.split('\n') ?? []) {
    const entry = lenientJson(line.trim() || undefined) as
      | { cumulativeDollars?: unknown; purpose?: unknown; dollars?: unknown }
      | undefined;
    if (typeof entry !== 'object' || entry === null) continue;
    calls = (calls ?? 0) + 1;
    if (typeof entry.dollars === 'number') {
      if (entry.purpose === 'synthesis') synthesisDollars += entry.dollars;
      else otherDollars += entry.dollars;
    }
    // Cumulative across processes (call-log.ts), so the largest value is the total spent.
    if (typeof entry.cumulativeDollars === 'number' && entry.cumulativeDollars > logDollars)
      logDollars = entry.cumulativeDollars;
  }
  if (calls === undefined && stateDollars === undefined && rounds === undefined) return undefined;
  const other = Math.max(otherDollars, stateDollars ?? 0);
  return {
    calls,
    dollars: Math.max(logDollars, other + synthesisDollars),
    synthesisDollars,
    otherDollars: other,
    rounds,
  };
}

/**
 * The inputs as the synthesis may see them: no confirmation numbers (no model call ever sees
 * one), and the spend without the syntheses' own calls (counting them would change the text the
 * synthesis is cached by, so every report would pay for a new one).
 */
export function synthesisView(inputs: ReportInputs): ReportInputs {
  const spend = inputs.plannerSpend;
  return {
    ...inputs,
    confirmation: undefined,
    plannerSpend: spend && {
      ...spend,
      calls: undefined,
      dollars: spend.dollars - spend.synthesisDollars,
      synthesisDollars: 0,
    },
  };
}

async function listLogs(paths: WorkdirPaths): Promise<string[]> {
  const entries = await readdir(paths.logsDir, { withFileTypes: true }).catch(() => []);
  return (
    entries
      // The synthesis cache is written by the report itself; listing it would make the second
      // report differ from the first.
      .filter((entry) => !entry.name.startsWith('.') && entry.name !== SYNTHESIS_CACHE_NAME)
      .map((entry) => `logs/${entry.name}${entry.isDirectory() ? '/' : ''}`)
      .sort()
  );
}
