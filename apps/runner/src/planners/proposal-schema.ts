/**
 * The one reply shape every planner produces: Claude through the `propose_experiments` tool, the
 * offline planner directly. Zod checks structure here; `validate-reply.ts` checks the reply
 * against the planning context (knob values, duplicates, patch target).
 */
import { z } from 'zod';
import type { ParamSpace } from './param-space.js';
import { knobDefault } from './param-space.js';

export const PROPOSE_TOOL_NAME = 'propose_experiments';

/** Names become directory and branch names downstream, so they are kept to lower-case slugs. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const ParamValueSchema = z.union([z.number(), z.string(), z.boolean()], {
  error: 'a parameter value must be a number, a string or a boolean',
});

export const ExperimentProposalSchema = z.strictObject({
  name: z
    .string()
    .max(64, 'name: at most 64 characters')
    .regex(SLUG_PATTERN, 'name must be a lower-case slug such as "ctx-256-log1p"')
    .describe('Short unique lower-case slug, e.g. "ctx-256-log1p".'),
  hypothesis: z
    .string()
    .min(1, 'hypothesis must not be empty')
    .describe('What you expect to change in the metric and why, falsifiable by this one run.'),
  params: z.record(z.string(), ParamValueSchema).describe('Knobs to set; knobs not listed take their default value.'),
  patch: z
    .string()
    .min(1, 'patch must not be empty when present')
    .optional()
    .describe('Optional unified diff against the editable file only.'),
  priority: z.number().finite().describe('Scheduling priority: lower runs sooner.'),
  parent: z.string().optional().describe('Optional id of the history experiment this one builds on.'),
});

export const PlanReplySchema = z
  .strictObject({
    action: z.enum(['propose', 'stop']).describe('"stop" when further experiments are not worth running.'),
    reasoning: z.string().min(1, 'reasoning must not be empty').describe('Your analysis of the history.'),
    experiments: z.array(ExperimentProposalSchema),
  })
  .superRefine((reply, ctx) => {
    if (reply.action === 'propose' && reply.experiments.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['experiments'],
        message: 'action "propose" needs at least one experiment',
      });
    }
    if (reply.action === 'stop' && reply.experiments.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['experiments'],
        message: 'action "stop" must come with an empty experiments list',
      });
    }
  });

export type ExperimentProposal = z.infer<typeof ExperimentProposalSchema>;
export type PlanReply = z.infer<typeof PlanReplySchema>;

/** JSON Schema of the generic reply (no knob constraints), as zod 4 derives it. */
export function planReplyJsonSchema(): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(PlanReplySchema, { io: 'input' }) as Record<string, unknown>;
  return schema;
}

/**
 * The tool's input_schema: the generic reply with `params` narrowed to the knobs of this space
 * (enums and bounds), so the model sees the allowed values where it writes them. Zod stays the
 * judge; this only makes a valid reply the easy one to write.
 */
export function toolInputSchema(space: ParamSpace): Record<string, unknown> {
  const schema = planReplyJsonSchema() as {
    properties: { experiments: { items: { properties: Record<string, unknown> } } };
  };
  const knobs: Record<string, unknown> = {};
  for (const [name, knob] of Object.entries(space)) {
    const doc = `${knob.description ? `${knob.description} ` : ''}Default ${JSON.stringify(knobDefault(knob))}.`;
    knobs[name] =
      knob.kind === 'choice'
        ? { enum: [...knob.values], description: doc }
        : { type: 'number', minimum: knob.min, maximum: knob.max, description: `${doc} Step ${knob.step}.` };
  }
  schema.properties.experiments.items.properties['params'] = {
    type: 'object',
    description: 'Knobs to set; knobs not listed take their default value.',
    properties: knobs,
    additionalProperties: false,
  };
  return schema;
}

/** One line per zod issue, with the path the model wrote, e.g. `experiments[0].priority: …`. */
export function formatZodIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path
      .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
      .join('');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
}
