/**
 * Plug point of the autoresearch workflow (design.md §8): run.ts loads this module and hands the
 * adapter it builds to the scheduler. Exports `createAdapter(ctx)` and `writeReport(ctx)`.
 *
 * Building the adapter is where a workdir is anchored on its first run: the template named in
 * `<workdir>/workflow.json` (default `autoresearch`; settings.ts) is copied into
 * `<workdir>/source`, committed (the anchor commit), its data prepared once into `<workdir>/data`,
 * type-checked, and the frozen files' hashes recorded in engine/engine_state.json. On a resume it
 * reloads that state, the tree and the ledgers, and — when the last session left nothing queued
 * or running and the stop rule allows — queues a planning round through the queue inbox, because
 * the scheduler only asks the adapter for work when something completes.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { logSynthesis, reportSynthesizer } from '../report/write-report.js';
import { writeOutputs } from '../report/write-outputs.js';
import { OutputsWriter } from '../report/outputs-writer.js';
import { CheckpointStore } from '../workdir/checkpoint-store.js';
import { WorkdirFileError } from '../workdir/file-errors.js';
import { listInbox, submitEdit } from '../workdir/queue-commands.js';
import { resumeHint } from '../workdir/resume-hint.js';
import type { RunAdapterFactory, RunAdapterModule, RunContext, RunReportWriter } from '../workdir/run-context.js';
import { confirmRun } from './confirmation.js';
import { PLAN_KIND } from './experiment/payload.js';
import { queuedSpecProblem } from './experiment/queued-spec.js';
import { LOCAL_TEMPLATE, validateTemplate } from './launch/command-template.js';
import type { LaunchBackend } from './launch/launch-backend.js';
import { LocalBackend } from './launch/local-backend.js';
import { SlurmBackend } from './launch/slurm-backend.js';
import { defaultSlurmSettings, type SlurmSettings } from './launch/slurm-settings.js';
import { loadWorkflowSettings } from './settings.js';
import { anchorWorkdir } from './source/anchor.js';
import { linkNodeModules, tsxLoaderUrl } from './source/source-repo.js';
import { anchoredManifest } from './source/template.js';
import { EngineStateStore, loadEngineState } from './state/engine-state.js';
import { nodesFromMasterTable, openLedgers } from './state/ledgers.js';
import { TreeStore } from './state/tree-store.js';
import { workflowPaths } from './state/workflow-paths.js';
import { nextPlanId, patienceHistory, planSpec, touchSession, WorkflowAdapter } from './workflow-adapter.js';

/** `node --import tsx`, as absolute paths: jobs run from a workdir anywhere on disk. */
export const NODE_COMMAND: readonly string[] = [process.execPath, '--import', tsxLoaderUrl()];

/** Background output writers by workdir, so writeReport can wait for the one in flight. */
const outputWriters = new Map<string, OutputsWriter>();

export const createAdapter: RunAdapterFactory = async (ctx) => {
  const paths = workflowPaths(ctx.paths);
  const settings = await loadWorkflowSettings(paths.settings);
  const backend = createBackend(ctx.config.launch, settings.slurm);
  await mkdir(ctx.paths.engineDir, { recursive: true });
  await mkdir(ctx.paths.logsDir, { recursive: true });
  await linkNodeModules(paths);
  const stored =
    (await loadEngineState(paths.engineState)) ??
    (await anchorWorkdir(ctx, paths, settings.template, { nodeCommand: NODE_COMMAND }));
  const manifest = await anchoredManifest(paths.source, stored);
  if (settings.shards > 1 && !manifest.shardable) {
    throw new WorkdirFileError(
      'workflow.json',
      [
        `shards: ${settings.shards}, but the evaluator of template "${manifest.name}" does not take --shard (its template.json does not say "shardable": true)`,
      ],
      'Nothing was started; set "shards": 1 or use a template whose evaluator shards.',
    );
  }
  // A stop belongs to the session that hit it: caps may have been raised since (as in the engine).
  const state = new EngineStateStore(paths.engineState, {
    ...touchSession(stored, ctx.sessionStartedAt),
    stopReason: null,
    stop: null,
  });
  await state.update((s) => s);
  const tree = await TreeStore.open(paths);
  await restoreFromLedger(ctx, tree);
  const ledgers = await openLedgers(ctx.paths, ctx.log);
  const outputs = new OutputsWriter(ctx.paths.root, ctx.log);
  outputWriters.set(ctx.paths.root, outputs);
  const adapter = new WorkflowAdapter({
    ctx,
    settings,
    paths,
    manifest,
    state,
    tree,
    ledgers,
    backend,
    outputs,
    nodeCommand: NODE_COMMAND,
  });
  await queueRoundIfIdle(ctx, state, adapter);
  return adapter;
};

/**
 * The report asked for on purpose (the end of a run, `run.ts report`): first the confirmation
 * split for the seeds and the best (confirmation.ts; skipped while jobs run), then the outputs
 * (src/report) with the synthesis.
 */
export const writeReport: RunReportWriter = async (ctx) => {
  await outputWriters.get(ctx.paths.root)?.settle();
  ctx.log(
    await confirmRun(ctx, { nodeCommand: NODE_COMMAND }).catch(
      (error: Error) => `no confirmation: ${error.message.split('\n')[0]}`,
    ),
  );
  logSynthesis(ctx, await writeOutputs(ctx.paths.root, { synthesize: reportSynthesizer(ctx) }));
  return ctx.paths.report;
};

/**
 * Experiments master_table.tsv records that engine/tree.json does not (a tree lost or moved aside
 * with the checkpoint) are put back into the tree, so the recovery (WorkflowAdapter.seed) never
 * runs them again. Only without a checkpoint: with one, the tree and the ledgers are in step.
 */
async function restoreFromLedger(ctx: RunContext, tree: TreeStore): Promise<void> {
  if (await new CheckpointStore(ctx.paths).load()) return;
  const missing = (await nodesFromMasterTable(ctx.paths.masterTable)).filter((node) => !tree.has(node.id));
  if (missing.length === 0) return;
  await tree.add(missing);
  ctx.log(
    `engine/tree.json lacked ${missing.length} experiment(s) that master_table.tsv records; restored them from it`,
  );
}

/**
 * The queue command's check of an added spec (AdapterModule.createSpecValidator): the same as the
 * running adapter's validateSpec, from the anchored template and the tree as they are on disk.
 */
export const createSpecValidator: NonNullable<RunAdapterModule['createSpecValidator']> = async (ctx) => {
  const paths = workflowPaths(ctx.paths);
  const state = await loadEngineState(paths.engineState);
  if (!state) return () => 'the workdir is not anchored yet; run it once before queueing experiments by hand';
  const manifest = await anchoredManifest(paths.source, state);
  const nodeIds = new Set((await TreeStore.open(paths)).all().map((node) => node.id));
  return (spec) => queuedSpecProblem(spec, { paramSpace: manifest.paramSpace, editable: manifest.editable, nodeIds });
};

export function createBackend(launch: string, slurm?: SlurmSettings): LaunchBackend {
  if (launch === 'local') return new LocalBackend(LOCAL_TEMPLATE);
  if (launch === 'slurm') return new SlurmBackend(slurm ?? defaultSlurmSettings());
  validateTemplate(launch);
  return new LocalBackend(launch);
}

async function queueRoundIfIdle(ctx: RunContext, state: EngineStateStore, adapter: WorkflowAdapter): Promise<void> {
  const checkpoint = await new CheckpointStore(ctx.paths).load();
  if (!checkpoint || checkpoint.queue.length > 0 || checkpoint.running.length > 0) return;
  if (!adapter.seedsDone()) return;
  const stop = adapter.stopDecision(patienceHistory(state.state.rounds));
  if (stop) {
    ctx.log(
      `nothing queued, and the stop rule holds (${stop.reason}: ${stop.detail}). ${resumeHint(`${stop.reason}: ${stop.detail}`, ctx.paths.root, ctx.config)}`,
    );
    return;
  }
  for (const name of await listInbox(ctx.paths)) {
    const text = await readFile(join(ctx.paths.commandsDir, name), 'utf8').catch(() => '');
    if (text.includes(`"kind": "${PLAN_KIND}"`) || text.includes(`"kind":"${PLAN_KIND}"`)) return; // one is on its way already
  }
  const id = nextPlanId(state.state);
  await state.update((s) => ({
    ...s,
    planTriggers: { ...s.planTriggers, [`resume@${ctx.sessionStartedAt.toISOString()}`]: id },
  }));
  await submitEdit(ctx.paths, { op: 'add', spec: planSpec(id) });
  ctx.log(`nothing queued from the last session: queued planning round ${id}`);
}
