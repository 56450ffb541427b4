import { describe, expect, it } from 'vitest';
import { placementOf, UsageError } from '../src/cli-context.js';

describe('experiments CLI: --validation-placement / --same-time-days', () => {
  it('leaves the harness defaults alone when absent', () => {
    expect(placementOf({})).toEqual({});
  });

  it('passes a known placement and a day list through', () => {
    expect(placementOf({ 'validation-placement': 'tail+same-time', 'same-time-days': '1, 7' })).toEqual({
      validationPlacement: 'tail+same-time',
      sameTimeDays: [1, 7],
    });
  });

  it.each([
    [
      { 'validation-placement': 'tails' },
      /--validation-placement: one of tail, same-time, tail\+same-time, got 'tails'/,
    ],
    [{ 'same-time-days': '1,1' }, /--same-time-days: .*got '1,1'/],
    [{ 'same-time-days': '0' }, /--same-time-days/],
    [{ 'same-time-days': '1.5' }, /--same-time-days/],
    [{ 'same-time-days': 'x' }, /--same-time-days/],
  ])('refuses %o with a usage error naming the flag', (values, message) => {
    expect(() => placementOf(values)).toThrow(UsageError);
    expect(() => placementOf(values)).toThrow(message);
  });
});
