/**
 * Anchoring a workdir on its template, in steps that survive a kill between any two of them
 * (engine/anchor.json records each step as it completes):
 *
 *   1. source/ — the template copied and committed (the anchor commit), frozen files hashed;
 *   2. data/   — the template's prepare step, run as a detached job through the local backend
 *                with its own launch token (engine/prepare/), so a runner killed while it runs
 *                finds the same process on the next start and waits for it, rather than starting
 *                a second one beside it; its exit status is read from the job's exit file;
 *   3. the type-check of the anchored source;
 *   4. engine/engine_state.json, written last: its presence says the anchor is complete.
 *
 * Before, one kill anywhere started all of it over (a prepare killed every few seconds never
 * finished, and an orphaned prepare ran twice).
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../../workdir/atomic-file.js';
import { readJsonFile, WorkdirFileError } from '../../workdir/file-errors.js';
import type { RunContext } from '../../workdir/run-context.js';
import { readLogTail } from '../experiment/evaluator-output.js';
import { errorLineOf } from '../experiment/failures.js';
import { LOCAL_TEMPLATE, shellCommand } from '../launch/command-template.js';
import type { JobHandle, LaunchJob } from '../launch/launch-backend.js';
import { LocalBackend } from '../launch/local-backend.js';
import type { EngineState } from '../state/engine-state.js';
import type { WorkflowPaths } from '../state/workflow-paths.js';
import { createAnchor, hashFiles, readFileAtCommit } from './source-repo.js';
import { readTemplateManifest, resolveTemplateDir, TEMPLATE_MANIFEST, type TemplateManifest } from './template.js';
import { sourceHash, typeCheck } from './type-check.js';

const AnchorProgressSchema = z.strictObject({
  version: z.literal(1),
  template: z.strictObject({ name: z.string(), dir: z.string(), description: z.string() }),
  anchorCommit: z.string().regex(/^[0-9a-f]{40}$/),
  editable: z.string(),
  frozen: z.record(z.string(), z.string()),
  /** The prepare job of this anchor: its token (and handle once launched); null before it started. */
  prepare: z.strictObject({ token: z.string(), handle: z.record(z.string(), z.json()).nullable() }).nullable(),
  prepared: z.boolean(),
  typeChecked: z.array(z.string()),
});

type AnchorProgress = z.infer<typeof AnchorProgressSchema>;

/** How often a running prepare job is looked at. */
const PREPARE_POLL_MS = 200;

export interface AnchorOptions {
  /** `node --import tsx`: the prepare step's argv prefix. */
  readonly nodeCommand: readonly string[];
}

/** `template`: workflow.json's, a template name or folder (settings.ts). */
export async function anchorWorkdir(
  ctx: RunContext,
  paths: WorkflowPaths,
  template: string,
  options: AnchorOptions,
): Promise<EngineState> {
  const progressFile = join(ctx.paths.engineDir, 'anchor.json');
  const saved = await readJsonFile(progressFile, AnchorProgressSchema, 'engine/anchor.json');
  let progress = saved && (await stillAnchored(paths, saved)) ? saved : await anchorSource(ctx, paths, template);
  if (saved && progress !== saved) ctx.log('engine/anchor.json names a commit source/ no longer has: anchoring again');
  await writeJsonAtomic(progressFile, progress);

  const manifest = await readTemplateManifest(progress.template.dir);
  if (manifest.prepare && !progress.prepared) {
    progress = await prepareData(ctx, paths, manifest, progress, progressFile, options);
  }
  const hash = await sourceHash(paths.source);
  if (!progress.typeChecked.includes(hash)) {
    try {
      await typeCheck(paths.source);
    } catch (error) {
      throw anchorError(
        manifest.name,
        `it does not type-check as shipped, so no experiment could run: ${(error as Error).message}`,
      );
    }
    progress = { ...progress, typeChecked: [...progress.typeChecked, hash] };
    await writeJsonAtomic(progressFile, progress);
  }
  const state: EngineState = {
    version: 1,
    template: progress.template,
    anchorCommit: progress.anchorCommit,
    anchoredAt: new Date().toISOString(),
    editable: progress.editable,
    frozen: progress.frozen,
    typeChecked: progress.typeChecked,
    sessions: [],
    rounds: [],
    planTriggers: {},
    plannerDollars: 0,
    stopReason: null,
    stop: null,
  };
  // Written last: its presence is what says the anchor is complete.
  await writeJsonAtomic(paths.engineState, state);
  ctx.log(
    `anchor ${progress.anchorCommit.slice(0, 12)}: ${manifest.frozen.join(', ')} frozen; ${manifest.editable} editable`,
  );
  return state;
}

/** Step 1: the template into source/, committed; the frozen files hashed. */
async function anchorSource(ctx: RunContext, paths: WorkflowPaths, template: string): Promise<AnchorProgress> {
  const templateDir = resolveTemplateDir(template, ctx.paths.root);
  const manifest = await readTemplateManifest(templateDir);
  ctx.log(`anchoring ${paths.source} on template "${manifest.name}" (${templateDir})`);
  const anchorCommit = await createAnchor(paths, templateDir, manifest.name);
  return {
    version: 1,
    template: { name: manifest.name, dir: templateDir, description: manifest.description },
    anchorCommit,
    editable: manifest.editable,
    frozen: await hashFiles(paths.source, manifest.frozen),
    prepare: null,
    prepared: false,
    typeChecked: [],
  };
}

/** The anchor commit is still in source/ (a killed createAnchor may have left a half-made repo). */
async function stillAnchored(paths: WorkflowPaths, progress: AnchorProgress): Promise<boolean> {
  if (!existsSync(join(paths.source, '.git'))) return false;
  return readFileAtCommit(paths.source, progress.anchorCommit, TEMPLATE_MANIFEST).then(
    () => true,
    () => false,
  );
}

/**
 * Step 2: the prepare job, launched once per token and re-attached after a restart. A job that
 * exited non-zero fails the anchor (its error line quoted); one that vanished without an exit
 * status is launched again with a new token.
 */
async function prepareData(
  ctx: RunContext,
  paths: WorkflowPaths,
  manifest: TemplateManifest,
  start: AnchorProgress,
  progressFile: string,
  options: AnchorOptions,
): Promise<AnchorProgress> {
  let progress = start;
  const backend = new LocalBackend(LOCAL_TEMPLATE);
  if (!manifest.prepare) throw new Error(`template ${manifest.name}: prepareData needs a prepare command`);
  const args = manifest.prepare.map((arg) => arg.replaceAll('{data}', paths.data));
  const runDir = join(ctx.paths.engineDir, 'prepare');
  await mkdir(runDir, { recursive: true });
  const logFile = join(ctx.paths.logsDir, 'prepare.log');
  const jobFor = (token: string): LaunchJob => ({
    id: 'prepare',
    token,
    cwd: paths.source,
    log: logFile,
    runDir,
    command: shellCommand([...options.nodeCommand, ...args]),
  });
  for (;;) {
    let handle: JobHandle | undefined;
    if (progress.prepare) {
      handle = progress.prepare.handle ?? (await backend.findLaunched(jobFor(progress.prepare.token)));
      if (handle) ctx.log(`preparing data: re-attached to the prepare job started before the restart`);
    }
    if (!handle) {
      const token = randomUUID();
      // The intent first: a kill between it and the launch leaves a token findLaunched can look for.
      progress = { ...progress, prepare: { token, handle: null } };
      await writeJsonAtomic(progressFile, progress);
      ctx.log(`preparing data: ${shellCommand(args)}`);
      handle = await backend.launch(jobFor(token));
      progress = { ...progress, prepare: { token, handle } };
      await writeJsonAtomic(progressFile, progress);
    }
    let state = await backend.poll(handle);
    while (state.state === 'running' || state.state === 'pending') {
      await new Promise((resolve) => setTimeout(resolve, PREPARE_POLL_MS));
      state = await backend.poll(handle);
    }
    if (state.state === 'exited' && state.code === 0) {
      progress = { ...progress, prepared: true };
      await writeJsonAtomic(progressFile, progress);
      return progress;
    }
    if (state.state === 'exited') {
      const reason = errorLineOf(await readLogTail(logFile), 6);
      // Forget the failed job: the next run, once the cause is fixed, starts a new one.
      await writeJsonAtomic(progressFile, { ...progress, prepare: null });
      throw anchorError(manifest.name, `its prepare step failed (full output in logs/prepare.log): ${reason}`);
    }
    ctx.log('preparing data: the prepare job vanished without an exit status; starting it again');
    progress = { ...progress, prepare: null };
  }
}

export function anchorError(template: string, reason: string): WorkdirFileError {
  return new WorkdirFileError(
    'workflow.json',
    [`template "${template}" cannot be anchored: ${reason}`],
    'Nothing was run; the workdir has no complete anchor yet, so the next run goes on from the last step that finished.',
  );
}
