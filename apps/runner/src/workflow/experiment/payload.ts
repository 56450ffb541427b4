/**
 * What the workflow keeps in a spec's payload. The scheduler checkpoints it and hands it back on
 * resume, so it carries everything needed to re-attach to a job: the phase, the experiment's
 * commit, the launch token and the backend's handle (see adapter.ts on persist/launching).
 *
 * Two spec kinds:
 * - `experiment`: one experiment. A person can queue one by hand (`run.ts queue <wd> add spec.json`)
 *   with a payload as small as `{ "experiment": { "name": "k-8", "params": { "k": 8 } } }`.
 * - `plan`: a planning round. Its run() does nothing; its complete() calls the planner and returns
 *   the proposals as experiment specs. Making rounds specs gives each one a durable id, which keys
 *   the planner cache, and lets the stop rule stop a run between rounds.
 */
import { z } from 'zod';
import type { JsonObject } from '../../core/work-spec.js';
import { SEED_KINDS } from '../state/tree-schema.js';

export const EXPERIMENT_KIND = 'experiment';
export const PLAN_KIND = 'plan';

/** Evaluator modes: `search` runs experiment.ts; the others are the reference baselines. */
export const EVALUATOR_MODES = ['search', 'best-fixed', 'oracle'] as const;
export type EvaluatorMode = (typeof EVALUATOR_MODES)[number];

/** `launching`: the intent to launch is durable, the launch itself may or may not have happened. */
export const PHASES = ['queued', 'preparing', 'launching', 'launched'] as const;
export type Phase = (typeof PHASES)[number];

const ParamValueSchema = z.union([z.number(), z.string(), z.boolean()]);

export const ExperimentDefinitionSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'name must be a lower-case slug such as "k-8"')
    .max(64),
  hypothesis: z.string().default(''),
  params: z.record(z.string(), ParamValueSchema).default({}),
  patch: z.string().min(1).nullable().default(null),
  parent: z.string().min(1).nullable().default(null),
  seedKind: z.enum(SEED_KINDS).nullable().default(null),
  mode: z.enum(EVALUATOR_MODES).default('search'),
  /** Commit the worktree starts from; null: the anchor. */
  baseCommit: z
    .string()
    .regex(/^[0-9a-f]{40}$/)
    .nullable()
    .default(null),
});

export type ExperimentDefinition = z.infer<typeof ExperimentDefinitionSchema>;

export const ExperimentPayloadSchema = z.object({
  phase: z.enum(PHASES).default('queued'),
  experiment: ExperimentDefinitionSchema,
  commit: z.string().optional(),
  token: z.string().optional(),
  /** The backend's handle of the job (one shard). */
  handle: z.record(z.string(), z.json()).optional(),
  /** How many jobs the evaluation is split into, fixed at launch; absent: one. */
  shards: z.number().int().min(1).optional(),
  /** With shards > 1: the handle of each shard's job, in shard order; null until it is launched. */
  handles: z.array(z.record(z.string(), z.json()).nullable()).optional(),
  /** Epoch ms of the launch: the job timeout counts from here, across restarts. */
  launchedAt: z.number().optional(),
});

export type ExperimentPayload = z.infer<typeof ExperimentPayloadSchema>;

export function payloadToJson(payload: ExperimentPayload): JsonObject {
  return JSON.parse(JSON.stringify(payload)) as JsonObject;
}
