/**
 * JSON Schemas of the files a person writes or reads in a workdir, generated from the very zod
 * schemas that validate them (zod 4's toJSONSchema), so the documentation cannot drift from the
 * code: apps/runner/schemas/*.json are written by `npm run schemas -w @tsfm/runner` and a test
 * fails when a committed one is stale. "input" shapes: fields with a default may be left out.
 */
import { z } from 'zod';
import { WorkSpecSchema } from './core/work-spec.js';
import { CheckpointSchema } from './workdir/checkpoint-store.js';
import { RunConfigSchema } from './workdir/run-config.js';
import { QueuedSpecSchema } from './workflow/experiment/queued-spec.js';
import { WorkflowSettingsSchema } from './workflow/settings.js';
import { TreeSchema } from './workflow/state/tree-schema.js';

interface SchemaEntry {
  readonly file: string;
  readonly title: string;
  readonly description: string;
  readonly schema: z.ZodType;
}

export const SCHEMA_ENTRIES: readonly SchemaEntry[] = [
  {
    file: 'config.schema.json',
    title: '<workdir>/config.json',
    description:
      'How a run was started (src/workdir/run-config.ts); flags given on a resume override it and are appended to overrides.',
    schema: RunConfigSchema,
  },
  {
    file: 'workflow.schema.json',
    title: '<workdir>/workflow.json',
    description:
      "The workflow's own settings (src/workflow/settings.ts), written by a person before a run; every field has a default.",
    schema: WorkflowSettingsSchema,
  },
  {
    file: 'checkpoint.schema.json',
    title: '<workdir>/engine/checkpoint.json',
    description:
      "The scheduler's state (src/workdir/checkpoint-store.ts), written atomically on every loop, validated field by field on read.",
    schema: CheckpointSchema,
  },
  {
    file: 'work-spec.schema.json',
    title: 'WorkSpec',
    description:
      "The unit of work the scheduler moves around (src/core/work-spec.ts): in the checkpoint's queue and running lists, and in engine/nodes/<id>/spec.json.",
    schema: WorkSpecSchema,
  },
  {
    file: 'queue-add.schema.json',
    title: 'run.ts queue <workdir> add <spec.json>',
    description:
      "A hand-queued experiment (src/workflow/experiment/queued-spec.ts); its params are further checked against the template's parameter space and its patch against the editable file.",
    schema: QueuedSpecSchema,
  },
  {
    file: 'tree.schema.json',
    title: '<workdir>/engine/tree.json',
    description:
      'Every experiment of the run with its status, decision and metrics (src/workflow/state/tree-schema.ts); what the report is built from.',
    schema: TreeSchema,
  },
];

/** Each schema file's text, as committed under apps/runner/schemas/. */
export function jsonSchemaFiles(): Map<string, string> {
  return new Map(
    SCHEMA_ENTRIES.map(({ file, title, description, schema }) => {
      const { $schema, ...body } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
      return [file, JSON.stringify({ $schema, title, description, ...body }, null, 2) + '\n'];
    }),
  );
}
