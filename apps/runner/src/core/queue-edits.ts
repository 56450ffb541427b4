/**
 * Edits a person makes to the queue (`run.ts queue …`), as data. The same function applies them
 * whether the engine is running (from the command inbox, at its next loop) or stopped (straight
 * into the checkpoint), so both paths accept and refuse exactly the same edits.
 */
import { z } from 'zod';
import type { PriorityQueue } from './priority-queue.js';
import { WorkSpecSchema, type WorkSpec } from './work-spec.js';

export const QueueEditSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('add'), spec: WorkSpecSchema }),
  z.strictObject({ op: z.literal('move'), id: z.string().min(1), priority: z.number() }),
  z.strictObject({ op: z.literal('drop'), id: z.string().min(1) }),
  z.strictObject({ op: z.literal('cancel'), id: z.string().min(1) }),
]);

export type QueueEdit =
  | { readonly op: 'add'; readonly spec: WorkSpec }
  | { readonly op: 'move'; readonly id: string; readonly priority: number }
  | { readonly op: 'drop'; readonly id: string }
  /** Like drop for a queued spec; for a running one, its job is stopped and recorded as cancelled. */
  | { readonly op: 'cancel'; readonly id: string };

export interface QueueEditResult {
  readonly ok: boolean;
  readonly message: string;
}

/** What an edit may look at besides the queue: specs already running or done cannot be edited. */
export interface QueueEditView {
  readonly queue: PriorityQueue<WorkSpec>;
  isRunning(id: string): boolean;
  isDone(id: string): boolean;
  /** The domain's verdict on a spec being added (WorkAdapter.validateSpec); undefined accepts it. */
  validate?(spec: WorkSpec): string | undefined;
  /** Asks for a running spec's job to be stopped; false when this view cannot (nothing is running). */
  cancelRunning?(id: string): boolean;
}

export function applyQueueEdit(view: QueueEditView, edit: QueueEdit): QueueEditResult {
  const { queue } = view;
  const queued = (id: string) => queue.find((spec) => spec.id === id);
  switch (edit.op) {
    case 'add': {
      const { id } = edit.spec;
      if (queued(id)) return refused(`add: ${id} is already queued`);
      if (view.isRunning(id)) return refused(`add: ${id} is already running`);
      if (view.isDone(id)) return refused(`add: ${id} already ran; ids are never reused, pick a new one`);
      const problem = view.validate?.(edit.spec);
      if (problem !== undefined) return refused(`add: ${id}: ${problem}`);
      queue.push(edit.spec);
      return { ok: true, message: `added ${id} at priority ${edit.spec.priority}` };
    }
    case 'move': {
      if (!Number.isFinite(edit.priority)) return refused(`move: priority must be a finite number`);
      const spec = queue.removeWhere((s) => s.id === edit.id);
      if (!spec) return refused(`move: ${notQueued(view, edit.id)}`);
      // Re-inserting gives the spec a fresh insertion number: it goes behind specs already at
      // that priority, which is what "move it to priority p" means to a person reading the queue.
      queue.push({ ...spec, priority: edit.priority });
      return { ok: true, message: `moved ${edit.id} from priority ${spec.priority} to ${edit.priority}` };
    }
    case 'drop': {
      const spec = queue.removeWhere((s) => s.id === edit.id);
      if (!spec) return refused(`drop: ${notQueued(view, edit.id)}`);
      return { ok: true, message: `dropped ${edit.id}` };
    }
    case 'cancel': {
      if (queue.removeWhere((s) => s.id === edit.id))
        return { ok: true, message: `cancelled ${edit.id} (it was queued and never ran)` };
      if (view.isRunning(edit.id) && view.cancelRunning?.(edit.id))
        return {
          ok: true,
          message: `cancelling ${edit.id}: its job is being stopped and will be recorded as cancelled`,
        };
      if (view.isDone(edit.id)) return refused(`cancel: ${edit.id} already finished`);
      return refused(`cancel: no queued or running spec has id ${edit.id}`);
    }
  }
}

function notQueued(view: QueueEditView, id: string): string {
  if (view.isRunning(id)) return `${id} is running, not queued; only queued specs can be edited`;
  if (view.isDone(id)) return `${id} already ran; only queued specs can be edited`;
  return `no queued spec has id ${id}`;
}

function refused(message: string): QueueEditResult {
  return { ok: false, message };
}
