/**
 * The unit of work the scheduler moves around: an id, a priority, a kind tag and a JSON payload.
 * Everything domain-specific (the experiment, its phase, a launched job's handle) lives in the
 * payload, so a spec read back from a checkpoint carries all the adapter needs to re-attach.
 */
import { z } from 'zod';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * Ids end up in file names (`engine/nodes/<id>/`), TSV cells and shell arguments, so they are
 * restricted to characters that are safe in all three: no separators, tabs, newlines or `..`.
 */
export const WORK_SPEC_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const WorkSpecSchema = z.strictObject({
  id: z
    .string()
    .regex(WORK_SPEC_ID_PATTERN, 'expected 1-128 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit'),
  // z.number() already rejects NaN and ±Infinity, which would make the heap order meaningless.
  priority: z.number(),
  kind: z.string().min(1),
  payload: z.record(z.string(), z.json()),
});

export interface WorkSpec {
  readonly id: string;
  /** Lower runs first; ties run in insertion order. */
  readonly priority: number;
  /** Lets an adapter tell spec types apart without reading the payload. */
  readonly kind: string;
  readonly payload: JsonObject;
}

export function workSpec(id: string, kind: string, priority = 0, payload: JsonObject = {}): WorkSpec {
  return parseWorkSpec({ id, kind, priority, payload });
}

/** Validates untrusted input (a checkpoint, a queue edit) into a spec; throws a ZodError naming the field. */
export function parseWorkSpec(value: unknown): WorkSpec {
  return WorkSpecSchema.parse(value);
}

export function workSpecToJson(spec: WorkSpec): JsonObject {
  return { id: spec.id, priority: spec.priority, kind: spec.kind, payload: spec.payload };
}
