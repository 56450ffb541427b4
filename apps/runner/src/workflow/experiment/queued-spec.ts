/**
 * What a person may queue by hand (`run.ts queue <workdir> add spec.json`), checked at add time
 * so a spec the workflow could never run is refused at once — not queued to fail later as a
 * crash that spends a slot under the experiment cap:
 *
 *   { "id": "k-8", "kind": "experiment", "priority": 5,
 *     "payload": { "experiment": { "name": "k-8", "hypothesis": "…", "params": { "k": 8 } } } }
 *
 * - kind `experiment` (planning rounds are the runner's own);
 * - the experiment's fields only: name (a slug), hypothesis, params (knobs of the template's
 *   space, values in range), an optional patch to the editable file and nothing else, an optional
 *   parent (an experiment of this run, whose commit it builds on);
 * - none of the fields only the workflow sets: the evaluator mode and the seed kind (a queued
 *   "oracle" would be a hindsight score posing as a candidate), the base commit, a phase beyond
 *   `queued`, a job handle.
 */
import { z } from 'zod';
import type { WorkSpec } from '../../core/work-spec.js';
import { checkPatch, validateParams, type ParamSpace } from '../../planners/index.js';
import { EXPERIMENT_KIND } from './payload.js';

export const QueuedExperimentSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'name must be a lower-case slug such as "k-8"')
    .max(64),
  hypothesis: z.string().optional(),
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
  patch: z.string().min(1).nullable().optional(),
  parent: z.string().min(1).nullable().optional(),
});

export const QueuedPayloadSchema = z.strictObject({
  phase: z.literal('queued').optional(),
  experiment: QueuedExperimentSchema,
});

/** The `queue add` spec file as a whole (what apps/runner/README.md documents as a JSON Schema). */
export const QueuedSpecSchema = z.strictObject({
  id: z.string(),
  kind: z.literal(EXPERIMENT_KIND),
  priority: z.number(),
  payload: QueuedPayloadSchema,
});

export interface QueueContext {
  readonly paramSpace: ParamSpace;
  readonly editable: string;
  /** Ids of the run's experiments, for `parent`. */
  readonly nodeIds: ReadonlySet<string>;
}

/** Why the spec cannot be queued, or undefined when it can. */
export function queuedSpecProblem(spec: WorkSpec, context: QueueContext): string | undefined {
  if (spec.kind !== EXPERIMENT_KIND)
    return `kind ${JSON.stringify(spec.kind)}: only "${EXPERIMENT_KIND}" specs can be queued (planning rounds are the runner's own)`;
  const parsed = QueuedPayloadSchema.safeParse(spec.payload);
  if (!parsed.success) {
    return parsed.error.issues
      .map((issue) => {
        const path = ['payload', ...issue.path].join('.');
        const keys = (issue as { keys?: string[] }).keys;
        return issue.code === 'unrecognized_keys' && keys
          ? `${path}: ${keys.map((key) => JSON.stringify(key)).join(', ')} cannot be set through the queue (only name, hypothesis, params, patch and parent)`
          : `${path}: ${issue.message}`;
      })
      .join('; ');
  }
  const { experiment } = parsed.data;
  const problems = validateParams(context.paramSpace, experiment.params ?? {}).map((p) => `params: ${p}`);
  if (experiment.patch) problems.push(...checkPatch(experiment.patch, context.editable).map((p) => `patch: ${p}`));
  if (experiment.parent && !context.nodeIds.has(experiment.parent))
    problems.push(`parent: no experiment ${experiment.parent} in this run`);
  return problems.length > 0 ? problems.join('; ') : undefined;
}
