/**
 * `run.ts <workdir> [flags]`: start or resume a run. The order matters and is the whole point:
 * lock → config → validate checkpoint → adapter → (crash? mark interrupted) → schedule. Nothing is
 * written to config.json or engine/ before the lock is held, and no checkpoint is written before
 * the old one is known to be readable.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runScheduler, seededState, type SchedulerState } from '../core/scheduler.js';
import { removeStaleTemps } from '../workdir/atomic-file.js';
import { CheckpointStore } from '../workdir/checkpoint-store.js';
import { acquireLock, WorkdirLockedError, type WorkdirLock } from '../workdir/lock.js';
import { workdirPaths, type WorkdirPaths } from '../workdir/paths.js';
import { ensureInboxDirs, fileEdits, takePendingEdits } from '../workdir/queue-commands.js';
import { adapterModuleFromEnv, loadAdapterModule } from './load-adapter.js';
import type { RunContext } from '../workdir/run-context.js';
import { writeReport } from '../report/write-report.js';
import { planRunConfig, type RunConfig, type RunSettings } from '../workdir/run-config.js';
import { resumeHint } from '../workdir/resume-hint.js';
import { UsageError } from './args.js';
import { createRunnerLog } from './runner-log.js';

export interface EngineOptions {
  /** Poll interval for queue edits while all slots are busy (ms). */
  readonly pollMs?: number;
  /** Where log lines are echoed besides logs/runner.log (stderr by default). */
  readonly echo?: (line: string) => void;
}

/** Temp files older than this were left by a dead writer (live writers finish in milliseconds). */
const STALE_TEMP_MS = 60_000;

export async function runEngine(
  workdir: string,
  flags: Partial<RunSettings>,
  options: EngineOptions = {},
): Promise<SchedulerState> {
  const sessionStartedAt = new Date();
  const paths = workdirPaths(workdir);
  await mkdir(paths.engineDir, { recursive: true });
  await ensureInboxDirs(paths);
  const log = createRunnerLog(paths, options.echo);

  const lock = await acquireEngineLock(paths);
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      // A second Ctrl-C means "now": every file is written atomically, so exiting is safe.
      log(`${signal} again: exiting without the final checkpoint`);
      process.exit(130);
    }
    log(`${signal}: stopping after a clean checkpoint; running jobs are left running and re-attached on resume`);
    stop.abort(new Error(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // The checkpoint first: nothing (config.json included) is written before it is known readable.
    const store = new CheckpointStore(paths);
    const checkpoint = await store.load();
    const planned = await planRunConfig(paths, flags, adapterModuleFromEnv());
    const { config, created, changed } = planned;
    assertClaudeUsable('--planner', config.planner, created, 'use --planner offline');
    assertClaudeUsable('--analysis', config.analysis, created, 'leave --analysis out (offline analysis)');
    await planned.write();
    if (created) log(`new run in ${paths.root}; settings in config.json`);
    if (changed.length > 0)
      log(`config.json: ${changed.join(', ')} changed for this resume (recorded under overrides)`);

    for (const dir of [
      paths.root,
      paths.engineDir,
      paths.commandsDir,
      paths.appliedDir,
      paths.rejectedDir,
      ...(await subdirectories(join(paths.engineDir, 'nodes'))),
    ]) {
      await removeStaleTemps(dir, STALE_TEMP_MS);
    }

    const ctx: RunContext = { paths, config, sessionStartedAt, log };
    const adapterModule = await loadAdapterModule(config);
    const adapter = await adapterModule.createAdapter(ctx);

    let initial: SchedulerState;
    if (checkpoint) {
      if (checkpoint.status === 'running') {
        // We hold the lock, so whoever wrote "running" is gone: the last run crashed.
        log(`the last run ended without a clean stop; resuming it (${checkpoint.running.length} job(s) to re-attach)`);
        await store.save({ ...checkpoint, status: 'interrupted' });
      } else {
        log(
          `resuming a ${checkpoint.status} run: ${checkpoint.queue.length} queued, ${checkpoint.running.length} to re-attach`,
        );
      }
      // A stop reason belongs to the session that hit it: caps may have been raised since.
      initial = { ...checkpoint, status: 'running', stopReason: null };
    } else {
      const seeds = await adapter.seed();
      initial = seededState(seeds, adapter.recoveredDone?.() ?? []);
      log(
        initial.done.length > 0
          ? `no checkpoint, but ${initial.done.length} experiment(s) already finished: rebuilt the queue without them (${initial.queue.length} spec(s) queued)`
          : `seeded ${initial.queue.length} spec(s)`,
      );
    }

    const final = await runScheduler({
      adapter,
      ports: {
        save: (state) => store.save(state),
        takeEdits: () => takePendingEdits(paths, log),
        fileEdits: (settled) => fileEdits(paths, settled),
      },
      initial,
      concurrency: config.concurrency,
      stop: stop.signal,
      ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
      log,
    });
    log(describeEnd(final, paths.root, config));
    if (final.status !== 'interrupted')
      await writeReport(paths, ctx, adapterModule).catch((error: Error) => log(`report not written: ${error.message}`));
    return final;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await lock.release();
  }
}

/**
 * `--planner claude` or `--analysis claude` without a key is a usage error (exit 2), never a silent
 * offline run that the summary would then label "claude". Checked before anything is written;
 * `otherwise` is what a new run can do instead.
 */
function assertClaudeUsable(
  flag: '--planner' | '--analysis',
  value: string,
  created: boolean,
  otherwise: string,
  env: NodeJS.ProcessEnv = process.env,
): void {
  if (value !== 'claude' || (env['ANTHROPIC_API_KEY'] ?? '').trim() !== '') return;
  throw new UsageError(
    created
      ? `${flag} claude needs ANTHROPIC_API_KEY in the environment; set it, or ${otherwise}`
      : `this run was started with ${flag} claude, which needs ANTHROPIC_API_KEY in the environment; set it, or resume with ${flag} offline`,
  );
}

/** The folders directly under `dir` (engine/nodes/<id>), for the stale-temp sweep; none when it is missing. */
async function subdirectories(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isDirectory()).map((entry) => join(dir, entry.name));
}

/** A `run.ts queue` holds the lock for milliseconds while it edits a stopped run: wait for it. */
async function acquireEngineLock(paths: WorkdirPaths): Promise<WorkdirLock> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await acquireLock(paths, 'engine');
    } catch (error) {
      const briefHolder = error instanceof WorkdirLockedError && error.holder?.purpose === 'queue-edit';
      if (!briefHolder || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function describeEnd(state: SchedulerState, root: string, config: RunConfig): string {
  const counts = `${state.done.length} done, ${state.queue.length} queued, ${state.running.length} running`;
  if (state.status === 'completed') return `completed: ${counts}`;
  return `stopped (${state.stopReason ?? 'no reason given'}): ${counts}. ${resumeHint(state.stopReason, root, config)}`;
}
