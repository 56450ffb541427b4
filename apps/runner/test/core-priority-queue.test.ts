import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PriorityQueue } from '../src/core/priority-queue.js';

interface Item {
  readonly id: number;
  readonly priority: number;
}

type Op = { kind: 'push'; priority: number } | { kind: 'pop' } | { kind: 'remove'; pick: number };

// Few distinct priorities, so ties (where insertion order decides) are common.
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('push' as const), priority: fc.integer({ min: -3, max: 3 }) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pop' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
);

/** The model: an array kept sorted by (priority, insertion number) — obviously correct, O(n). */
function modelInsert(model: { item: Item; seq: number }[], item: Item, seq: number): void {
  const at = model.findIndex(
    (e) => e.item.priority > item.priority || (e.item.priority === item.priority && e.seq > seq),
  );
  model.splice(at < 0 ? model.length : at, 0, { item, seq });
}

describe('PriorityQueue', () => {
  it('pops in (priority, insertion order) like a sorted-array model, under push/pop/remove', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => {
        const heap = new PriorityQueue<Item>((item) => item.priority);
        const model: { item: Item; seq: number }[] = [];
        let nextId = 0;
        for (const op of ops) {
          if (op.kind === 'push') {
            const item = { id: nextId++, priority: op.priority };
            modelInsert(model, item, heap.counter);
            heap.push(item);
          } else if (op.kind === 'pop') {
            expect(heap.pop()).toEqual(model.shift()?.item);
          } else if (model.length > 0) {
            const victim = model[op.pick % model.length];
            model.splice(model.indexOf(victim), 1);
            expect(heap.removeWhere((item) => item.id === victim.item.id)).toEqual(victim.item);
          }
          expect(heap.size).toBe(model.length);
          expect(heap.peek()).toEqual(model[0]?.item);
        }
        expect(heap.toSortedArray()).toEqual(model.map((e) => e.item));
      }),
      { numRuns: 300 },
    );
  });

  it('rebuilt from its sorted items and counter, pops in the same order as the original', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 20 }),
        (first, later) => {
          const original = new PriorityQueue<Item>((item) => item.priority);
          first.forEach((priority, id) => original.push({ id, priority }));
          const rebuilt = new PriorityQueue<Item>((item) => item.priority, original.counter);
          for (const item of original.toSortedArray()) rebuilt.push(item);
          // Items pushed after the restart must land behind older ones of equal priority in both.
          later.forEach((priority, k) => {
            original.push({ id: 1000 + k, priority });
            rebuilt.push({ id: 1000 + k, priority });
          });
          const drain = (q: PriorityQueue<Item>) => Array.from({ length: q.size }, () => q.pop()!.id);
          expect(drain(rebuilt)).toEqual(drain(original));
        },
      ),
    );
  });

  it('removeWhere returns undefined and changes nothing when nothing matches', () => {
    const heap = new PriorityQueue<Item>((item) => item.priority);
    heap.push({ id: 1, priority: 0 });
    expect(heap.removeWhere((item) => item.id === 2)).toBeUndefined();
    expect(heap.size).toBe(1);
  });
});
