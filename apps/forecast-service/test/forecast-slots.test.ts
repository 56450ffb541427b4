import { describe, expect, it } from 'vitest';
import { ForecastSlots } from '../src/forecast-slots.js';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('ForecastSlots', () => {
  it('runs at most `concurrency` at once and the rest in arrival order', async () => {
    const slots = new ForecastSlots(1);
    const order: number[] = [];
    const releases: Array<() => void> = [];
    const job = (i: number) => () => new Promise<number>((resolve) => releases.push(() => (order.push(i), resolve(i))));
    const runs = [0, 1, 2].map((i) => slots.run(job(i), () => true));
    await tick();
    expect(slots.running).toBe(1);
    expect(slots.waiting).toBe(2);
    for (let i = 0; i < 3; i++) {
      await tick();
      releases[i]();
    }
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(order).toEqual([0, 1, 2]);
    expect(slots.running).toBe(0);
  });

  it('skips a queued job that is no longer wanted and hands its slot on', async () => {
    const slots = new ForecastSlots(1);
    let release!: () => void;
    const first = slots.run(
      () => new Promise<string>((r) => (release = () => r('first'))),
      () => true,
    );
    let ran = false;
    const gone = slots.run(
      async () => ((ran = true), 'gone'),
      () => false,
    );
    const third = slots.run(
      async () => 'third',
      () => true,
    );
    await tick();
    release();
    expect(await first).toBe('first');
    expect(await gone).toBeNull();
    expect(ran).toBe(false);
    expect(await third).toBe('third');
  });

  it('frees the slot when a job throws', async () => {
    const slots = new ForecastSlots(1);
    await expect(
      slots.run(
        async () => Promise.reject(new Error('boom')),
        () => true,
      ),
    ).rejects.toThrow('boom');
    expect(
      await slots.run(
        async () => 'next',
        () => true,
      ),
    ).toBe('next');
  });
});
