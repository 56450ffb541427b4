/**
 * `<workdir>/workflow.json` (optional): the workflow's own settings, next to config.json.
 *
 * config.json belongs to the CLI and its schema is strict, so the knobs that only the workflow
 * understands live here. A person writes the file before the first run (or edits it between
 * runs); every field has a default, and a missing file means all defaults:
 *
 *   { "template": "tiny", "stallTimeoutS": 120, "pollMs": 500, "shards": 4 }
 *
 * `template` is read once, when the workdir is anchored (changing it later has no effect: the
 * source repo already holds the template's files); without it, TSFM_WORKFLOW_TEMPLATE, then
 * `autoresearch` (the real evaluator, which needs the default model built). The other fields apply
 * to every session.
 */
import { z } from 'zod';
import { readFile } from 'node:fs/promises';
import { describeZodIssues, parseJsonText, WorkdirFileError } from '../workdir/file-errors.js';
import { MAX_SHARDS } from './shards/shard.js';
import { SlurmSettingsSchema } from './launch/slurm-settings.js';

export const DEFAULT_TEMPLATE = 'autoresearch';

export const WorkflowSettingsSchema = z.strictObject({
  /** A template under apps/runner/templates/ by name, or a directory path. */
  template: z.string().min(1).default(DEFAULT_TEMPLATE),
  /** How often a running job is polled (ms). */
  pollMs: z.number().int().min(10).max(60_000).default(1000),
  /** A job whose log and metrics.json have not changed for this long is killed as stalled. */
  stallTimeoutS: z.number().positive().default(600),
  /** Rewrite summary/plots/report after every completion (when the report module is present). */
  outputs: z.boolean().default(true),
  /** Seed of the offline planner's exploration. */
  offlineSeed: z.number().int().default(0),
  /** Experiments the offline planner proposes per round. */
  offlineBatch: z.number().int().min(1).max(64).default(4),
  /**
   * How long one Claude planning call may keep retrying transient API errors (429, 5xx, timeouts)
   * before the round is given up — and planned again, without ending the run.
   */
  plannerDeadlineS: z.number().min(0).max(86_400).default(900),
  /**
   * Jobs each experiment's evaluation is split into (`--shard i/N` per job, tenants strided over
   * them), merged exactly when all have exited (shard.ts, docs/cluster.md). Needs a template whose
   * template.json says `"shardable": true`. Fixed per experiment at its launch.
   */
  shards: z.number().int().min(1).max(MAX_SHARDS).default(1),
  /** How `--launch slurm` submits jobs (slurm-settings.ts, docs/cluster.md); ignored by other launchers. */
  slurm: SlurmSettingsSchema.optional(),
});

export type WorkflowSettings = z.infer<typeof WorkflowSettingsSchema>;

/** The template when workflow.json names none: handy for a one-off `TSFM_WORKFLOW_TEMPLATE=tiny run.ts <wd>`. */
export const TEMPLATE_ENV = 'TSFM_WORKFLOW_TEMPLATE';

export async function loadWorkflowSettings(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<WorkflowSettings> {
  const advice = 'Nothing was started; fix that field and run again.';
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  const raw = text === undefined ? {} : parseJsonText(text, z.record(z.string(), z.unknown()), 'workflow.json', advice);
  const fromEnv = env[TEMPLATE_ENV];
  const parsed = WorkflowSettingsSchema.safeParse(
    fromEnv && raw['template'] === undefined ? { ...raw, template: fromEnv } : raw,
  );
  if (!parsed.success) throw new WorkdirFileError('workflow.json', describeZodIssues(parsed.error), advice);
  return parsed.data;
}
