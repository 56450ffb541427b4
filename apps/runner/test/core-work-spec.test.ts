import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseWorkSpec, workSpec, workSpecToJson } from '../src/core/work-spec.js';

describe('WorkSpec', () => {
  it('survives a JSON round trip unchanged', () => {
    const idArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
    fc.assert(
      fc.property(
        idArb,
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.string({ minLength: 1 }),
        fc.jsonValue(),
        (id, priority, kind, value) => {
          const spec = workSpec(id, kind, priority, { value: value as never });
          expect(parseWorkSpec(JSON.parse(JSON.stringify(workSpecToJson(spec))))).toEqual(
            JSON.parse(JSON.stringify(spec)),
          );
        },
      ),
    );
  });

  it('refuses ids that are unsafe as file names or TSV cells', () => {
    for (const id of ['', '../x', 'a/b', 'a\tb', 'a\nb', '.hidden', 'x'.repeat(129)]) {
      expect(() => workSpec(id, 'k'), id).toThrow(/id/);
    }
  });

  it('refuses a priority that is not a finite number, naming the field', () => {
    for (const priority of [Number.NaN, Number.POSITIVE_INFINITY, '1']) {
      expect(() => parseWorkSpec({ id: 'a', kind: 'k', priority, payload: {} })).toThrow(/priority/);
    }
  });

  it('refuses unknown top-level fields rather than silently dropping them', () => {
    expect(() => parseWorkSpec({ id: 'a', kind: 'k', priority: 0, payload: {}, prio: 1 })).toThrow(/prio/);
  });
});
