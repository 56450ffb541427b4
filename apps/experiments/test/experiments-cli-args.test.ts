import { describe, expect, it } from 'vitest';
import { placementOf, racingOf, UsageError } from '../src/cli-context.js';

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

describe('experiments CLI: --racing', () => {
  it('is off when absent or "off", and passes W,S through', () => {
    expect(racingOf({})).toEqual({});
    expect(racingOf({ racing: 'off' })).toEqual({});
    expect(racingOf({ racing: '3,4' })).toEqual({ racing: { windows: 3, survivors: 4 } });
  });

  it.each(['0,4', '3', '3,4,5', 'a,b', '65,1', ' 3,4', '3.5,4'])(
    'refuses %o with a usage error naming the flag',
    (raw) => {
      expect(() => racingOf({ racing: raw })).toThrow(UsageError);
      expect(() => racingOf({ racing: raw })).toThrow(
        `--racing must be W,S (first-round windows and survivors, 1–64 each) or off, got '${raw}'`,
      );
    },
  );
});
