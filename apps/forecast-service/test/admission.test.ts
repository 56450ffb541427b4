import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Admission } from '../src/index.js';

function admit(a: Admission, budgetMs = 200) {
  const d = a.tryAdmit(budgetMs);
  if (!d.admitted) throw new Error(`refused: ${d.reason}`);
  return d.ticket;
}

describe('Admission', () => {
  it('admits everything up to minInFlight, whatever it learned', () => {
    const a = new Admission({ minInFlight: 3, maxInFlight: 100 });
    a.complete(admit(a), 1e6); // one queue position now costs 1000 s
    for (let i = 0; i < 3; i++) admit(a);
    expect(a.tryAdmit(200)).toMatchObject({ admitted: false });
  });

  it('predicts (in flight + 1) × the learned cost per position and refuses past the budget', () => {
    const a = new Admission({ minInFlight: 1, maxInFlight: 100, weight: 1 });
    a.complete(admit(a), 50); // position 0 → 50 ms per position
    admit(a);
    admit(a);
    expect(a.predictMs()).toBe(150);
    expect(a.tryAdmit(149)).toMatchObject({ admitted: false, predictedMs: 150, retryAfterSeconds: 1 });
    expect(a.tryAdmit(150)).toMatchObject({ admitted: true, ticket: { position: 2 } });
  });

  it('learns latency / (position + 1): a long queue that drains fast makes a position cheap', () => {
    const a = new Admission({ minInFlight: 1, maxInFlight: 1000, weight: 1 });
    const tickets = Array.from({ length: 100 }, () => a.tryAdmit(Number.POSITIVE_INFINITY));
    const last = tickets[99]!;
    if (!last.admitted) throw new Error('refused');
    expect(last.ticket.position).toBe(99);
    a.complete(last.ticket, 200); // the 100th finished after 200 ms: 2 ms per position
    expect(a.positionMs).toBe(2);
  });

  it('never admits more than maxInFlight, and Retry-After is at least a second', () => {
    const a = new Admission({ minInFlight: 2, maxInFlight: 2 });
    admit(a);
    admit(a);
    const d = a.tryAdmit(1e9);
    expect(d).toMatchObject({ admitted: false, retryAfterSeconds: 1 });
  });

  it('a completion that was not served (NaN latency) frees the place without teaching anything', () => {
    const a = new Admission({ minInFlight: 1, maxInFlight: 10 });
    a.complete(admit(a), Number.NaN);
    expect(a.inFlight).toBe(0);
    expect(a.positionMs).toBeNull();
  });

  it('in flight returns to 0 after any sequence of admissions and completions (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.double({ min: 0, max: 1e4, noNaN: true })), { maxLength: 200 }),
        (ops) => {
          const a = new Admission({ minInFlight: 1, maxInFlight: 50 });
          const open: ReturnType<typeof admit>[] = [];
          for (const [add, ms] of ops) {
            if (add) {
              const d = a.tryAdmit(1e3);
              if (d.admitted) open.push(d.ticket);
            } else if (open.length > 0) a.complete(open.pop()!, ms);
            expect(a.inFlight).toBe(open.length);
            expect(a.inFlight).toBeLessThanOrEqual(50);
          }
          while (open.length > 0) a.complete(open.pop()!, 1);
          expect(a.inFlight).toBe(0);
        },
      ),
      { seed: 7 },
    );
  });
});
