/**
 * The confirmation split: once the search is over, the seeds and the run's best experiments are
 * scored once more, on tenants no experiment was scored on during the search (the evaluator's
 * `--split confirmation`). The run's verdict is this number — best against the best fixed
 * config, with a paired bootstrap interval over the confirmation tenants — because every search
 * number was looked at by the planner and the keep rule, and a best chosen among many is
 * optimistic on the tenants it was chosen on.
 *
 * What must never happen: a confirmation number reaching a planner, a prompt, a keep decision or
 * the ledgers the planner reads. So the results live only in runs/<id>/confirmation/ and in
 * engine/confirmation.json, which only the report reads; nothing in research/ or planners/
 * imports this module (test/workflow-confirmation.test.ts checks the prompts and ledgers).
 *
 * When: at the end of a run (the engine's final report) and on `run.ts report`, but only when no
 * job is running and the run was not stopped by hand (a Ctrl-C should not start minutes of
 * evaluation); `report` while an engine runs leaves it to that engine. A result on disk is reused:
 * the data, the evaluator and the experiment's commit are all frozen.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { z } from 'zod';
import { bestNode } from '../report/ranking.js';
import { writeJsonAtomic } from '../workdir/atomic-file.js';
import { CheckpointStore } from '../workdir/checkpoint-store.js';
import { acquireLock, readLockHolder, WorkdirLockedError, type WorkdirLock } from '../workdir/lock.js';
import type { RunContext } from '../workdir/run-context.js';
import { evaluatorResult, readLogTail } from './experiment/evaluator-output.js';
import { errorLineOf } from './experiment/failures.js';
import { jobEnvironment } from './launch/job-env.js';
import {
  differenceInterval,
  metricInterval,
  readUnitsFile,
  relativeHalfWidth,
  type Unit,
} from './research/bootstrap.js';
import { createWorktree } from './source/source-repo.js';
import { anchoredManifest, type TemplateManifest } from './source/template.js';
import { loadEngineState } from './state/engine-state.js';
import type { TreeNode } from './state/tree-schema.js';
import { TreeStore } from './state/tree-store.js';
import { workflowPaths, type WorkflowPaths } from './state/workflow-paths.js';

export const CONFIRMATION_SPLIT = 'confirmation';
/** Besides the seeds and the best: this many more kept candidates, lowest search metric first. */
export const EXTRA_KEPT = 2;

const finiteOrNull = z.number().nullable();

export const ConfirmationEntrySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  /** Why it was confirmed: a seed's kind, `best` (the search's best), or `kept` (another kept candidate). */
  role: z.enum(['harness-default', 'best-fixed', 'oracle', 'best', 'kept']),
  searchMetric: z.number(),
  /** The confirmation metric; null when its evaluation failed (`error` says why). */
  metric: finiteOrNull,
  /** Relative half-width of its 95% bootstrap CI over the confirmation tenants. */
  halfWidth: finiteOrNull,
  latencyMsP99: finiteOrNull,
  budgetMs: finiteOrNull,
  overBudget: finiteOrNull,
  tenants: z.number().int().nonnegative(),
  error: z.string().nullable(),
});

export type ConfirmationEntry = z.infer<typeof ConfirmationEntrySchema>;

const ComparisonSchema = z.strictObject({
  against: z.string(),
  /** (best − against) / against on the confirmation split, and its paired 95% interval. */
  change: z.number(),
  lo: z.number(),
  hi: z.number(),
  tenants: z.number().int(),
});

export const ConfirmationFileSchema = z.strictObject({
  version: z.literal(1),
  updatedAt: z.string(),
  split: z.literal(CONFIRMATION_SPLIT),
  bestId: z.string().nullable(),
  entries: z.array(ConfirmationEntrySchema),
  /** The verdict: the best against the best fixed config (and the harness default) on this split. */
  verdict: z
    .strictObject({
      bestId: z.string(),
      bestFixed: ComparisonSchema.nullable(),
      harnessDefault: ComparisonSchema.nullable(),
      sentence: z.string(),
    })
    .nullable(),
});

export type ConfirmationFile = z.infer<typeof ConfirmationFileSchema>;

export function confirmationFile(paths: WorkflowPaths): string {
  return join(paths.root, 'engine', 'confirmation.json');
}

export interface ConfirmOptions {
  /** `node --import tsx`: the evaluator's argv prefix. */
  readonly nodeCommand: readonly string[];
}

/**
 * Scores what needs scoring on the confirmation split and writes engine/confirmation.json.
 * Returns what it did in one line, for the log; never throws for a failed evaluation (that entry
 * says why), only for a workdir it cannot read.
 */
export async function confirmRun(ctx: RunContext, options: ConfirmOptions): Promise<string> {
  const paths = workflowPaths(ctx.paths);
  const state = await loadEngineState(paths.engineState);
  if (!state) return 'no confirmation: the workdir is not anchored yet';
  const manifest = await anchoredManifest(paths.source, state);
  if (!manifest.confirmation)
    return `no confirmation: template "${manifest.name}" declares no confirmation split (template.json "confirmation")`;
  const checkpoint = await new CheckpointStore(ctx.paths).load();
  if (checkpoint && checkpoint.running.length > 0)
    return 'no confirmation yet: jobs are still running (it runs when the search is over)';
  if (checkpoint?.stopReason?.startsWith('stop requested'))
    return 'no confirmation: the run was stopped by hand (resume it, or run.ts report once it has ended)';

  const lock = await lockUnlessOurs(ctx);
  if (lock === 'busy') return 'no confirmation: an engine holds this workdir; it confirms when its search ends';
  try {
    const nodes = (await TreeStore.open(paths)).all();
    const targets = confirmationTargets(nodes);
    if (targets.length === 0) return 'no confirmation: nothing has a search metric yet';
    const entries: ConfirmationEntry[] = [];
    const units = new Map<string, Unit[]>();
    let ran = 0;
    for (const { node, role } of targets) {
      const outcome = await confirmOne(ctx, paths, manifest, node, options);
      if (outcome.ran) ran++;
      entries.push({ ...outcome.entry, role });
      if (outcome.units) units.set(node.id, outcome.units);
    }
    const best = targets.find((target) => target.role === 'best')?.node;
    const file: ConfirmationFile = {
      version: 1,
      updatedAt: new Date().toISOString(),
      split: CONFIRMATION_SPLIT,
      bestId: best?.id ?? null,
      entries,
      verdict: runVerdict(targets, entries, units),
    };
    await writeJsonAtomic(confirmationFile(paths), file);
    return `confirmation split: ${entries.length} experiment(s) scored (${ran} evaluated now, ${entries.length - ran} reused)${file.verdict ? `; ${file.verdict.sentence}` : ''}`;
  } finally {
    if (lock !== 'ours') await lock.release();
  }
}

export interface Target {
  readonly node: TreeNode & { metric: number };
  readonly role: ConfirmationEntry['role'];
}

/** The seeds, the best, and up to EXTRA_KEPT other kept candidates (lowest search metric first). */
export function confirmationTargets(nodes: readonly TreeNode[]): Target[] {
  const measured = (node: TreeNode): node is TreeNode & { metric: number } =>
    node.status === 'completed' && node.metric !== null && node.commit !== null;
  const targets: Target[] = [];
  for (const kind of ['harness-default', 'best-fixed', 'oracle'] as const) {
    const seed = nodes.find((node) => node.seedKind === kind);
    if (seed && measured(seed)) targets.push({ node: seed, role: kind });
  }
  const best = bestNode(nodes);
  if (best && measured(best)) {
    const asSeed = targets.findIndex((target) => target.node.id === best.id);
    if (asSeed >= 0) targets.splice(asSeed, 1);
    targets.push({ node: best, role: 'best' });
  }
  const others = nodes
    .filter(
      (node): node is TreeNode & { metric: number } =>
        measured(node) &&
        node.decision === 'keep' &&
        node.seedKind === null &&
        !targets.some((target) => target.node.id === node.id),
    )
    .sort((a, b) => a.metric - b.metric)
    .slice(0, EXTRA_KEPT);
  for (const node of others) targets.push({ node, role: 'kept' });
  return targets;
}

async function lockUnlessOurs(ctx: RunContext): Promise<WorkdirLock | 'ours' | 'busy'> {
  const held = await readLockHolder(ctx.paths);
  if (held?.holder?.pid === process.pid && held.liveness !== 'dead') return 'ours';
  try {
    return await acquireLock(ctx.paths, 'confirmation');
  } catch (error) {
    if (error instanceof WorkdirLockedError) return 'busy';
    throw error;
  }
}

interface OneOutcome {
  readonly entry: Omit<ConfirmationEntry, 'role'>;
  readonly units: Unit[] | undefined;
  /** Whether the evaluator ran now (false: a result on disk was reused). */
  readonly ran: boolean;
}

async function confirmOne(
  ctx: RunContext,
  paths: WorkflowPaths,
  manifest: TemplateManifest,
  node: TreeNode & { metric: number },
  options: ConfirmOptions,
): Promise<OneOutcome> {
  const dir = join(paths.runDir(node.id), CONFIRMATION_SPLIT);
  const metricsFile = join(dir, 'metrics.json');
  const logFile = join(dir, 'log');
  const base = { id: node.id, name: node.name, searchMetric: node.metric };
  const failed = (error: string, ran: boolean): OneOutcome => ({
    entry: {
      ...base,
      metric: null,
      halfWidth: null,
      latencyMsP99: null,
      budgetMs: null,
      overBudget: null,
      tenants: 0,
      error,
    },
    units: undefined,
    ran,
  });

  let ran = false;
  if (!(await hasResult(logFile, metricsFile))) {
    ran = true;
    ctx.log(`${node.id}: scoring on the confirmation split`);
    await mkdir(dir, { recursive: true });
    const worktree = existsSync(paths.worktree(node.id))
      ? paths.worktree(node.id)
      : await createWorktree(paths, node.id, node.commit!);
    const args = manifest.evaluate.map((arg) =>
      arg
        .replaceAll('{data}', paths.data)
        .replaceAll('{metrics}', metricsFile)
        .replaceAll('{fan}', join(dir, 'fan.json')),
    );
    const result = await execa(
      options.nodeCommand[0]!,
      [...options.nodeCommand.slice(1), ...args, '--split', CONFIRMATION_SPLIT],
      {
        cwd: worktree,
        extendEnv: false,
        env: jobEnvironment(process.env, { TSFM_EXPERIMENT_ID: node.id }),
        stdin: 'ignore',
        all: true,
        reject: false,
        timeout: ctx.config.jobTimeoutS * 1000,
      },
    );
    await writeFile(logFile, result.all ?? '');
    if (result.exitCode !== 0) {
      const output = result.all ?? result.message;
      const line = errorLineOf(output);
      return failed(
        `the confirmation run ${result.timedOut ? 'timed out' : `exited with status ${result.exitCode}`}: ${line}`,
        ran,
      );
    }
  }
  try {
    const result = evaluatorResult(await readLogTail(logFile));
    const units = await readUnitsFile(metricsFile);
    return {
      entry: {
        ...base,
        metric: result.metric,
        halfWidth: units ? relativeHalfWidth(metricInterval(units), result.metric) : null,
        latencyMsP99: result.latencyMsP99,
        budgetMs: result.budgetMs,
        overBudget: result.overBudget,
        tenants: units?.length ?? 0,
        error: null,
      },
      units,
      ran,
    };
  } catch (error) {
    return failed((error as Error).message, ran);
  }
}

/** A finished confirmation run: its log ends in a result block with a metric, beside its metrics file. */
async function hasResult(logFile: string, metricsFile: string): Promise<boolean> {
  if (!existsSync(metricsFile)) return false;
  try {
    evaluatorResult(await readLogTail(logFile));
    return true;
  } catch {
    return false;
  }
}

/**
 * The run's verdict on the confirmation split: the best against the best fixed config. A search
 * that kept no candidate leaves the harness at its defaults — that is what the run has to offer
 * against the best fixed config, so then the verdict is about the harness default.
 */
export function runVerdict(
  targets: readonly Target[],
  entries: readonly ConfirmationEntry[],
  units: ReadonlyMap<string, Unit[]>,
): ConfirmationFile['verdict'] {
  const best = targets.find((target) => target.role === 'best')?.node;
  if (best) return verdictOf(best, entries, units, 'the best');
  const harness = targets.find((target) => target.role === 'harness-default')?.node;
  return harness ? verdictOf(harness, entries, units, 'no candidate was kept; the harness default') : null;
}

function verdictOf(
  best: TreeNode & { metric: number },
  entries: readonly ConfirmationEntry[],
  units: ReadonlyMap<string, Unit[]>,
  label: string,
): ConfirmationFile['verdict'] {
  const bestEntry = entries.find((entry) => entry.id === best.id);
  if (!bestEntry || bestEntry.metric === null) return null;
  const compare = (role: 'best-fixed' | 'harness-default') => {
    const other = entries.find((entry) => entry.role === role);
    const a = units.get(best.id);
    const b = other ? units.get(other.id) : undefined;
    if (!other || other.metric === null || !a || !b || other.id === best.id) return null;
    try {
      const interval = differenceInterval(a, b);
      const scale = Math.abs(other.metric);
      return {
        against: other.id,
        change: interval.estimate / scale,
        lo: interval.lo / scale,
        hi: interval.hi / scale,
        tenants: a.length,
      };
    } catch {
      return null;
    }
  };
  const bestFixed = compare('best-fixed');
  const harnessDefault = compare('harness-default');
  const pct = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x * 100).toFixed(1)}%`;
  const sentence = bestFixed
    ? `${label} (${best.id}) scores ${bestEntry.metric.toFixed(4)} on the confirmation split, ${pct(bestFixed.change)} against the best fixed config (95% CI [${pct(bestFixed.lo)}, ${pct(bestFixed.hi)}] over ${bestFixed.tenants} tenants): ${
        bestFixed.hi < 0
          ? 'better beyond noise'
          : bestFixed.lo > 0
            ? 'worse beyond noise'
            : 'not distinguishable from it'
      }`
    : `${label} (${best.id}) scores ${bestEntry.metric.toFixed(4)} on the confirmation split; no best fixed config to compare with`;
  return { bestId: best.id, bestFixed, harnessDefault, sentence };
}
